import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { HttpError, handleErrors } from '@lab/kit';
import { LAB_KEY_HEADER, type DefenceSwitches, type TraceEvent } from '@lab/shared';
import { checkLabKey } from '../lab-control.ts';
import { runWithLinkFinder } from '../trace-links.ts';
import { EVERY_SESSION, type TraceFeed } from './trace-feed.ts';
import { deferSessionLinks } from './session-links.ts';
import { openEventStream } from './event-stream.ts';
import type { ScenarioLauncher } from './scenario-launcher.ts';
import { addScenarioRoutes } from './scenario-routes.ts';
import { endInstructorView, grantInstructorView, identifyViewer, rememberSession } from './viewer.ts';

const HEARTBEAT_MS = 15_000;

/**
 * The X-ray's routes keep the BFF's own CSRF rule for JSON endpoints (`X-CSRF: 1`, see the BFF's
 * `require-csrf-header.ts`), and so switch with the same defence.
 */
function requireCsrfHeader(defences: DefenceSwitches) {
  return async function csrfHeaderCheck(ctx: Context, next: Next): Promise<void> {
    if (defences.isOn('csrf-header') && ctx.get('X-CSRF') !== '1') {
      throw new HttpError(403, 'csrf_header_missing', 'This endpoint requires the header "X-CSRF: 1". Cross-site requests cannot send it.');
    }
    await next();
  };
}

/** The two views, as the stream and `GET /bff/xray/state` name them. */
export type XrayView = 'session' | 'instructor';

/**
 * LAB ONLY, the X-ray: the lab's trace, live, for the SPA's X-ray panel. A real BFF has no such
 * route. Mounted only when the X-ray is on (`LAB_XRAY`), and in front of the trace, so that the
 * X-ray does not watch itself (and the control key sent to it never enters the trace).
 *
 * A learner sees only their own session's exchanges; every session's, with the run's control key
 * (the instructor's view; see `xray/viewer.ts` for how a browser presents it):
 * - `GET /bff/xray/stream`: Server-Sent Events. First `event: view` (`{ "view" }`), then one trace
 *   event (JSON) per message, the recent ones first. `EventSource` cannot send `X-CSRF`; the
 *   stream changes nothing, and without CORS another site cannot read it.
 * - `GET /bff/xray/state`: `{ "fullView": boolean, "view", "clock"? }`: whether any service records
 *   secrets unshortened, which view this browser gets, and the lab's clock (`offsetSeconds`, and
 *   `held` while a step-by-step run holds it). Nothing about other sessions.
 * - `POST /bff/xray/view` with `X-Lab-Key`: the instructor's view for this browser, for two hours;
 *   `DELETE /bff/xray/view` leaves it. Only when the run has a control key.
 *
 * Every other request is served with the BFF's session link keys recorded on its exchanges (see
 * `xray/session-links.ts`): a few HMACs per request.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function serveXray(feed: TraceFeed, defences: DefenceSwitches, log: (line: string) => void, clock?: XrayClockControl, scenarios?: ScenarioLauncher) {
  const routes = createXrayRoutes(feed, defences, log, clock, scenarios).routes();
  return async function xray(ctx: Context, next: Next): Promise<void> {
    if (ctx.path.startsWith('/bff/xray/')) return routes(ctx as never, next);
    // Every other request: the feed holds back what starts after it until it has been recorded.
    const done = feed.requestStarted();
    try {
      await runWithLinkFinder(() => deferSessionLinks(ctx), next);
    } finally {
      done();
    }
  };
}

/** The lab's clock as the instructor's X-ray moves it (every service at once). */
export interface XrayClockControl {
  offsetSeconds(): number;
  /** Whether the lab's time stands still (a step-by-step scenario run holds it between steps). */
  held(): boolean;
  /** Moves every service's lab time `seconds` forward; what each reported as expired, by service. */
  advance(seconds: number): Promise<{ offsetSeconds: number; expired: Record<string, Readonly<Record<string, number>>> }>;
}

const MAX_ADVANCE_SECONDS = 366 * 86_400;

export function createXrayRoutes(
  feed: TraceFeed,
  defences: DefenceSwitches,
  log: (line: string) => void,
  clock?: XrayClockControl,
  scenarios?: ScenarioLauncher,
): Router {
  const router = new Router({ prefix: '/bff/xray' });
  router.use(handleErrors((error, ctx) => log(`bff: ${ctx.method} ${ctx.path} failed: ${error instanceof Error ? error.message : String(error)}`)));

  router.get('/stream', async (ctx) => {
    const viewer = identifyViewer(ctx, feed.controlKey);
    if (viewer.view === 'session') rememberSession(ctx);
    const res = openEventStream(ctx);
    res.write(`event: view\ndata: ${JSON.stringify({ view: viewer.view })}\n\n`);
    // The link keys stay in the BFF: the panel has no use for them.
    const send = (event: TraceEvent) => res.write(`id: ${event.id}\ndata: ${JSON.stringify({ ...event, links: undefined })}\n\n`);

    const scope = viewer.view === 'instructor' ? EVERY_SESSION : { sessionLinks: viewer.sessionLinks };
    const subscription = await feed.subscribe(send, scope, () => res.end());
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
    const { view } = identifyViewer(ctx, feed.controlKey);
    ctx.body = {
      fullView: await feed.fullView(),
      view: view satisfies XrayView,
      ...(clock ? { clock: { offsetSeconds: clock.offsetSeconds(), held: clock.held(), now: new Date().toISOString() } } : {}),
    };
  });

  const controlKey = feed.controlKey;
  if (controlKey) {
    router.post('/view', requireCsrfHeader(defences), (ctx) => {
      if (!checkLabKey(ctx.get(LAB_KEY_HEADER), controlKey)) {
        throw new HttpError(401, 'lab_key_required', "The instructor's view needs the run's key in X-Lab-Key.");
      }
      const expiresAt = grantInstructorView(ctx, controlKey);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { view: 'instructor' satisfies XrayView, expiresAt: new Date(expiresAt).toISOString() };
    });
    router.delete('/view', requireCsrfHeader(defences), (ctx) => {
      endInstructorView(ctx);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { view: 'session' satisfies XrayView };
    });
    // "Five minutes later": the instructor moves every service's time forward (`PUT /_lab/clock`
    // of each); the next API call shows what it changed. Learners cannot: it is everybody's lab.
    if (clock) {
      router.put('/clock', requireCsrfHeader(defences), bodyParser({ enableTypes: ['json'], jsonLimit: '1kb' }), async (ctx) => {
        if (identifyViewer(ctx, controlKey).view !== 'instructor') {
          throw new HttpError(403, 'instructor_view_required', "Only the instructor's view moves the lab's time.");
        }
        const { advanceSeconds } = (ctx.request.body ?? {}) as { advanceSeconds?: unknown };
        if (typeof advanceSeconds !== 'number' || !Number.isInteger(advanceSeconds) || advanceSeconds < 1 || advanceSeconds > MAX_ADVANCE_SECONDS) {
          throw new HttpError(400, 'invalid_setting', `advanceSeconds must be a whole number of seconds from 1 to ${MAX_ADVANCE_SECONDS}.`);
        }
        ctx.set('Cache-Control', 'no-store');
        try {
          ctx.body = await clock.advance(advanceSeconds);
        } catch (error) {
          log(`bff: moving the lab's time failed: ${error instanceof Error ? error.message : String(error)}`);
          throw new HttpError(502, 'lab_clock_unavailable', 'A service did not take the new lab time; try again (npm run lab -- time says where each one is).');
        }
      });
    }
    // The instructor runs a scenario against the lab; the audience watches it in the swim lanes.
    if (scenarios) addScenarioRoutes(router, scenarios, controlKey, requireCsrfHeader(defences));
  }

  return router;
}
