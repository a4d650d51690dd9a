import type { ServerResponse } from 'node:http';
import type { Context } from 'koa';

/**
 * Starts a Server-Sent Events answer that the caller writes message by message (Koa would end
 * it): no socket timeout, no Nagle delay, no keep-alive once it ends (the connection closes with
 * the stream instead of lingering idle), and `X-Accel-Buffering: no` so that a buffering reverse
 * proxy (nginx) passes each message on at once.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function openEventStream(ctx: Context): ServerResponse {
  ctx.respond = false;
  const res = ctx.res;
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  res.shouldKeepAlive = false;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  return res;
}
