import type { IncomingMessage } from 'node:http';

/** How much of an unread request body a server reads and throws away before it answers. */
export interface DrainLimits {
  /** Bytes discarded at most; past them the answer goes with `Connection: close`. */
  readonly maxBytes: number;
  /** Time spent discarding at most, however steadily the bytes come. */
  readonly maxMs: number;
  /** Stop when no byte has come for this long (a `Content-Length` longer than what is sent). */
  readonly idleMs: number;
}

/** 8 MiB or 10 s, and 1 s of silence: far above the bodies the lab parses (16 kB), far below a DoS. */
export const DEFAULT_DRAIN_LIMITS: DrainLimits = { maxBytes: 8 * 1024 * 1024, maxMs: 10_000, idleMs: 1_000 };

/**
 * Reads and discards the rest of a request body nobody will read (the server answers without it),
 * so that closing the connection afterwards does not reset the answer away (RFC 9112 §9.6).
 * Resolves `true` once the body has ended, `false` when a limit was reached or the client left.
 */
export function discardRestOfBody(req: IncomingMessage, limits: DrainLimits = DEFAULT_DRAIN_LIMITS): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let discarded = 0;
    let settled = false;
    const overall = setTimeout(() => settle(false), limits.maxMs);
    const idle = setTimeout(() => settle(false), limits.idleMs);
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limits.maxBytes) settle(false);
      else idle.refresh();
    };
    const onEnd = () => settle(true);
    const onGone = () => settle(false);
    function settle(ended: boolean): void {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      clearTimeout(idle);
      req.off('data', onData).off('end', onEnd).off('close', onGone).off('error', onGone);
      if (!ended) req.pause();
      resolve(ended);
    }
    // Whoever gave up on the body may have left it paused, or piped into a decompressor or a proxy.
    req.unpipe();
    req.on('data', onData).once('end', onEnd).once('close', onGone).once('error', onGone);
    req.resume();
  });
}
