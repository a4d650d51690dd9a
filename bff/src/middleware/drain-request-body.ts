import type { Context, Next } from 'koa';
import { DEFAULT_DRAIN_LIMITS, discardRestOfBody, type DrainLimits } from '@lab/kit';

/**
 * Reads and discards the rest of a request body that the BFF answered without reading (a 413 from
 * the body parser, a 403 for a missing `X-CSRF`, a 401, a 404) before the answer goes out.
 *
 * Why: Node closes the connection right after the answer when the client asked for that
 * (`Connection: close`, which Vite's dev proxy always sends). Closing a socket with unread bytes
 * makes the kernel send a TCP reset, which can erase the answer before the client reads it, while
 * the client, still uploading, gets EPIPE: through the app's origin a 413 became a 502. RFC 9112
 * §9.6 calls it the "TCP reset problem"; Go's net/http also reads a bounded rest before replying.
 * Past the limits the answer goes with `Connection: close` (RFC 9110 §15.5.14 allows the close).
 *
 * Mount it first, before the error handler, so that it sees the final answer.
 */
export function drainRequestBody(limits: DrainLimits = DEFAULT_DRAIN_LIMITS) {
  return async function drainUnreadBody(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } finally {
      if (!ctx.req.complete) {
        const drained = await discardRestOfBody(ctx.req, limits);
        if (!drained && !ctx.headerSent) ctx.set('Connection', 'close');
      }
    }
  };
}
