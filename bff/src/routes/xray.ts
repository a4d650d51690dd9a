import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { handleErrors, type DefenceSwitches, type TraceEvent } from '@lab/shared';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';
import type { TraceFeed } from '../xray/trace-feed.ts';

const HEARTBEAT_MS = 15_000;

/**
 * LAB ONLY, the X-ray: the lab's trace, live, for the SPA's X-ray panel. A real BFF has no such
 * route. Mounted only when the X-ray is on (`LAB_XRAY`), and in front of the trace, so that the
 * X-ray does not watch itself.
 *
 * - `GET /bff/xray/stream`: Server-Sent Events, one trace event (JSON) per message, the recent
 *   ones first. `EventSource` cannot send `X-CSRF`; the stream changes nothing, and without CORS
 *   another site cannot read it.
 * - `GET /bff/xray/state`: `{ "fullView": boolean }`, whether any service records secrets unshortened.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function serveXray(feed: TraceFeed, defences: DefenceSwitches, log: (line: string) => void) {
  const routes = createXrayRoutes(feed, defences, log).routes();
  return async function xray(ctx: Context, next: Next): Promise<void> {
    if (ctx.path.startsWith('/bff/xray/')) return routes(ctx as never, next);
    // Every other request: the feed holds back what starts after it until it has been recorded.
    const done = feed.requestStarted();
    try {
      await next();
    } finally {
      done();
    }
  };
}

export function createXrayRoutes(feed: TraceFeed, defences: DefenceSwitches, log: (line: string) => void): Router {
  const router = new Router({ prefix: '/bff/xray' });
  router.use(handleErrors((error, ctx) => log(`bff: ${ctx.method} ${ctx.path} failed: ${error instanceof Error ? error.message : String(error)}`)));

  router.get('/stream', async (ctx) => {
    // The response is written here, message by message, not by Koa (which would end it).
    ctx.respond = false;
    const res = ctx.res;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    // Once the stream ends (the BFF stops), the connection closes too, instead of lingering idle.
    res.shouldKeepAlive = false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      // Tells a buffering reverse proxy (nginx) to pass each message on at once.
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const send = (event: TraceEvent) => res.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);

    const subscription = await feed.subscribe(send, () => res.end());
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      subscription.unsubscribe();
    };
    // The response closes when the browser goes away (or when the feed ends it).
    res.once('close', stop);
    if (res.destroyed || res.writableEnded) {
      stop();
      return;
    }
    for (const event of subscription.backlog) send(event);
  });

  router.get('/state', requireCsrfHeader(defences), async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = { fullView: await feed.fullView() };
  });

  return router;
}
