import type { IncomingMessage } from 'node:http';

export interface BffBalancerOptions {
  /** How often each instance's `/healthz` is asked while the app's origin runs (ms). */
  readonly checkEveryMs?: number;
}

/**
 * The app's origin as a production load balancer in front of several BFF instances
 * (`LAB_BFF_INSTANCES`): requests go round robin over the instances that are up; an instance
 * that refuses a connection, or fails its health check, is skipped until its health check
 * answers again. Any instance can serve any request because they share the session store.
 * With one instance this is a constant.
 */
export class BffBalancer {
  readonly targets: readonly string[];
  readonly #down = new Set<string>();
  #next = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(targets: readonly string[], { checkEveryMs = 1_000 }: BffBalancerOptions = {}) {
    if (targets.length === 0) throw new RangeError('at least one BFF target');
    this.targets = targets;
    if (targets.length > 1) {
      this.#timer = setInterval(() => void this.checkHealth(), checkEveryMs);
      this.#timer.unref();
    }
  }

  /** The next instance that is up (round robin), skipping `tried`; when none is up, the next one anyway. */
  pick(tried: ReadonlySet<string> = new Set()): string | undefined {
    const count = this.targets.length;
    for (const skipDown of [true, false]) {
      for (let step = 0; step < count; step += 1) {
        const target = this.targets[(this.#next + step) % count] as string;
        if (tried.has(target) || (skipDown && this.#down.has(target))) continue;
        this.#next = (this.#next + step + 1) % count;
        return target;
      }
    }
    return undefined;
  }

  markDown(target: string): void {
    if (this.targets.length > 1) this.#down.add(target);
  }

  isDown(target: string): boolean {
    return this.#down.has(target);
  }

  /** Asks each instance's `/healthz`; an instance is up again as soon as it answers 200. */
  async checkHealth(): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        try {
          const response = await fetch(`${target}/healthz`, { signal: AbortSignal.timeout(800) });
          await response.body?.cancel();
          if (response.ok) this.#down.delete(target);
          else this.#down.add(target);
        } catch {
          this.#down.add(target);
        }
      }),
    );
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/** Connection errors after which nothing reached the instance: the request can go to another one. */
const NOTHING_SENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ECONNABORTED']);

/**
 * Whether a request that failed on one instance may be sent to another: the instance was not
 * reached (or dropped the connection), and the request has no body, which the failed attempt
 * may already have consumed. A call with a body gets the 502 instead; the app can repeat it.
 */
export function mayTryAnotherInstance(error: NodeJS.ErrnoException, req: IncomingMessage): boolean {
  if (!NOTHING_SENT.has(error.code ?? '')) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}
