import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { HttpError, handleErrors, rejectMalformedUrl } from '@lab/kit';
import { LAB_KEY_HEADER, isDefenceName, type DefenceName, type DefenceSwitches } from '@lab/shared';
import type { LabClock } from './lab-clock.ts';
import type { TraceRecorder } from './trace.ts';

const STREAM_HEARTBEAT_MS = 15_000;

/** Settings a service adds to the common ones (e.g. the authorization server's token lifetime). */
export interface ExtraSettings {
  read(): Record<string, unknown>;
  /** Applies the members it knows; throws an HttpError for a bad value. */
  apply(patch: Record<string, unknown>): void;
}

export interface LabControlOptions {
  /** The run's control key (`LAB_CONTROL_KEY`); without one, the control routes do not exist. */
  readonly key: string | undefined;
  readonly defences: DefenceSwitches;
  readonly recorder: TraceRecorder;
  readonly extra?: ExtraSettings;
  /** More control routes of one service, behind the same key check. */
  readonly extraRoutes?: (router: Router) => void;
  /** The lab's clock in this process: `GET`/`PUT /_lab/clock` exist only with one. */
  readonly clock?: LabClock;
  /** What of this service's state ends between two lab times (epoch ms), by kind: what `PUT /_lab/clock` reports. */
  readonly expiring?: (fromMs: number, toMs: number) => Promise<Record<string, number>> | Record<string, number>;
}

/** Ten years: far past every lifetime in the lab, and far from any date arithmetic's limits. */
const MAX_CLOCK_OFFSET_SECONDS = 10 * 365 * 86_400;

/**
 * The lab's control plane, on every service: read the trace, switch defences for one scenario
 * run. Not part of any real system: it exists only when the launcher gave the run a key, and
 * every call must present that key (a cross-site page cannot: it is a secret custom header).
 */
export function createLabControlRoutes(options: LabControlOptions): Router {
  const router = new Router({ prefix: '/_lab' });
  const { key } = options;
  if (!key) return router;
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '8kb' });

  router.use(async (ctx: Context, next: Next) => {
    if (!checkLabKey(ctx.get(LAB_KEY_HEADER), key)) {
      throw new HttpError(401, 'lab_key_required', "The lab control routes need the run's key in X-Lab-Key.");
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/trace', (ctx) => {
    const after = Number(ctx.query.after ?? 0);
    ctx.body = {
      service: options.recorder.service,
      lastSeq: options.recorder.lastSeq,
      events: options.recorder.since(Number.isFinite(after) ? after : 0),
    };
  });

  // The trace as it happens: one JSON line per event, pushed as it is recorded (and again, same
  // `id`, once its JWTs' signatures are checked). First a line `{ service, lastSeq }`, then the
  // events after `after`, then `{ caughtUp: true }`, then live events; a blank line every 15 s.
  // The X-ray's feed reads it while somebody watches (`xray/trace-feed.ts`).
  router.get('/trace/stream', (ctx) => {
    const after = Number(ctx.query.after ?? 0);
    const { recorder } = options;
    ctx.respond = false;
    const res = ctx.res;
    ctx.req.socket.setTimeout(0);
    res.shouldKeepAlive = false;
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    line({ service: recorder.service, lastSeq: recorder.lastSeq });
    // Read and subscribed in one go: nothing recorded in between is missed.
    for (const event of recorder.since(Number.isFinite(after) ? after : 0)) line(event);
    const unsubscribe = recorder.subscribe((event) => line(event));
    line({ caughtUp: true });
    const heartbeat = setInterval(() => res.write('\n'), STREAM_HEARTBEAT_MS);
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  // Which process answered: for the operations scenarios, which stop or kill one instance on purpose.
  router.get('/process', (ctx) => {
    ctx.body = { service: options.recorder.service, instance: options.recorder.instance, pid: process.pid };
  });

  router.delete('/trace', (ctx) => {
    options.recorder.clear();
    ctx.status = 204;
  });

  const readSettings = () => ({
    service: options.recorder.service,
    weakened: options.defences.weakened(),
    fullView: options.recorder.fullView,
    ...options.extra?.read(),
  });

  router.get('/settings', (ctx) => {
    ctx.body = readSettings();
  });

  router.put('/settings', json, (ctx) => {
    const patch = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new HttpError(400, 'invalid_setting', 'The settings must be a JSON object.');
    }
    // Every member is checked before any changes: a bad one leaves every setting as it was.
    const weakened = patch.weakened === undefined ? undefined : parseWeakened(patch.weakened);
    if (patch.fullView !== undefined && typeof patch.fullView !== 'boolean') {
      throw new HttpError(400, 'invalid_setting', 'fullView must be true or false.');
    }
    options.extra?.apply(patch); // checks all of its members before it changes one
    if (weakened) options.defences.set(weakened);
    if (typeof patch.fullView === 'boolean') options.recorder.fullView = patch.fullView;
    ctx.body = readSettings();
  });

  if (options.clock) addClockRoutes(router, options, options.clock);
  options.extraRoutes?.(router);
  return router;
}

/**
 * `GET /_lab/clock`: `{ service, now, offsetSeconds, offsetMs, held }`, the lab's time in this service.
 * `PUT /_lab/clock`, one of:
 * - `{ "offsetSeconds": N }`: the lab's time N seconds ahead of real time from now on (never less
 *   than it is: 409 `clock_backwards`), answered with what of this service's state expired in the
 *   jump (`expired`, by kind). The command line sets every service to the same offset
 *   (`npm run lab -- time +5m`).
 * - `{ "held": true }`: the lab's time stands still here (step mode holds every service between
 *   two steps), for two minutes unless renewed by the same call; 409 `clock_not_ahead` when the
 *   lab's time is not ahead of real time (it would fall behind). `{ "held": false }` lets it run on
 *   from where it stood. See `lab-clock.ts`.
 */
function addClockRoutes(router: Router, options: LabControlOptions, clock: LabClock): void {
  const read = () => {
    const offsetMs = clock.offsetMs;
    // offsetMs too: after a hold the offset is no whole number of seconds, and a move counted from
    // the rounded one could land behind it.
    return {
      service: options.recorder.service,
      now: new Date(clock.now()).toISOString(),
      offsetSeconds: Math.round(offsetMs / 1000),
      offsetMs,
      held: clock.held,
    };
  };
  router.get('/clock', (ctx) => {
    ctx.body = read();
  });
  router.put('/clock', bodyParser({ enableTypes: ['json'], jsonLimit: '1kb' }), async (ctx) => {
    const change = parseClockChange(ctx.request.body);
    if ('held' in change) {
      if (!change.held) clock.release();
      else if (!clock.hold()) {
        throw new HttpError(
          409,
          'clock_not_ahead',
          "The lab's time can stand still only while it is ahead of real time (it must never fall behind it): move it forward first.",
        );
      }
      ctx.body = read();
      return;
    }
    const { offsetSeconds } = change;
    const before = clock.now();
    const movedMs = offsetSeconds * 1000 - clock.offsetMs;
    if (movedMs < 0) {
      throw new HttpError(409, 'clock_backwards', `The lab's time only goes forward: it is ${Math.round(clock.offsetMs / 1000)} s ahead already.`);
    }
    // Counted before the jump: afterwards the stores no longer list what ended in it (a session
    // past its end is gone from them, however long ago in the lab's time).
    const expired = movedMs > 0 && options.expiring ? await options.expiring(before, before + movedMs) : {};
    if (!clock.moveTo(offsetSeconds * 1000)) {
      throw new HttpError(409, 'clock_backwards', `The lab's time only goes forward: it is ${Math.round(clock.offsetMs / 1000)} s ahead already.`);
    }
    if (movedMs > 0) {
      console.log(
        `${options.recorder.service}: lab clock moved ${Math.round(movedMs / 1000)} s: lab time ${new Date(clock.now()).toISOString()}, ${offsetSeconds} s ahead of real time`,
      );
    }
    ctx.body = { ...read(), movedSeconds: Math.round(movedMs / 1000), expired };
  });
}

/** The body of `PUT /_lab/clock`: a move or a hold, never both; throws a 400 HttpError for anything else. */
function parseClockChange(body: unknown): { offsetSeconds: number } | { held: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_setting', 'The clock change must be a JSON object: {"offsetSeconds": N} or {"held": true|false}.');
  }
  const { offsetSeconds, held } = body as { offsetSeconds?: unknown; held?: unknown };
  if (offsetSeconds !== undefined && held !== undefined) {
    throw new HttpError(400, 'invalid_setting', 'Send either offsetSeconds (a move) or held (a hold), not both.');
  }
  if (held !== undefined) {
    if (typeof held !== 'boolean') throw new HttpError(400, 'invalid_setting', 'held must be true or false.');
    return { held };
  }
  if (typeof offsetSeconds !== 'number' || !Number.isInteger(offsetSeconds) || offsetSeconds < 0 || offsetSeconds > MAX_CLOCK_OFFSET_SECONDS) {
    throw new HttpError(400, 'invalid_setting', `offsetSeconds must be a whole number of seconds from 0 to ${MAX_CLOCK_OFFSET_SECONDS}.`);
  }
  return { offsetSeconds };
}

/**
 * Whether a request presented the run's control key. Both sides are hashed first, so that
 * `timingSafeEqual` compares equal lengths in constant time: the answer's timing says nothing
 * about how much of a guess was right.
 */
export function checkLabKey(presented: string | undefined, key: string): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(key));
}

/** The `weakened` member of a settings patch: a list of known defence names; throws a 400 HttpError otherwise. */
export function parseWeakened(value: unknown): DefenceName[] {
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    throw new HttpError(400, 'invalid_setting', 'weakened must be a list of defence names.');
  }
  const unknown = value.filter((name) => !isDefenceName(name));
  if (unknown.length > 0) throw new HttpError(400, 'unknown_defence', `Unknown defence: ${unknown.join(', ')}.`);
  return value as DefenceName[];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The control routes as one middleware: answers `/_lab/*` (with the lab's JSON errors) and passes
 * everything else on untouched. For apps, like oidc-provider, whose own error handling differs.
 */
export function labControlMiddleware(options: LabControlOptions) {
  const routes = createLabControlRoutes(options).routes();
  const errors = handleErrors(() => undefined);
  const wellFormed = rejectMalformedUrl();
  // Without the run's key the routes do not exist: the service answers as for any unknown path.
  if (!options.key) return (_ctx: Context, next: Next): Promise<void> => next();
  return (ctx: Context, next: Next): Promise<void> =>
    ctx.path === '/_lab' || ctx.path.startsWith('/_lab/')
      ? errors(ctx, async () => {
          ctx.set('X-Content-Type-Options', 'nosniff');
          await wellFormed(ctx, () => routes(ctx as never, async () => undefined));
          if (ctx.body === undefined && ctx.status === 404) throw new HttpError(404, 'not_found', `Nothing at ${ctx.method} ${ctx.path}.`);
        })
      : next();
}
