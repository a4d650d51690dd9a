import { openEventStream } from './event-stream.ts';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { HttpError } from '@lab/kit';
import type { ScenarioLauncher, ScenarioRunEvent } from './scenario-launcher.ts';
import { identifyViewer } from './viewer.ts';

const HEARTBEAT_MS = 15_000;

/**
 * LAB ONLY: the instructor's scenario launcher, on the X-ray's router (`/bff/xray`). The
 * instructor's view only: a scenario changes everybody's lab (its defences, the notes).
 * - `GET /scenarios` (X-CSRF): `[{ id, title, kind }]`.
 * - `POST /scenarios/run` `{ id }` (X-CSRF): 202 `{ runId }`; 400 `unknown_scenario`, 409
 *   `scenario_running` while one runs. A scenario that fails is a result, not an error.
 * - `GET /scenarios/run/stream`: Server-Sent Events of the current (or last) run: `start`, one
 *   `step` per step as it starts (number, actor, action, look), `end` (pass, failed expectations).
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function addScenarioRoutes(router: Router, launcher: ScenarioLauncher, controlKey: string, csrf: Middleware): void {
  const requireInstructor = (ctx: Context) => {
    if (identifyViewer(ctx, controlKey).view !== 'instructor') {
      throw new HttpError(403, 'instructor_view_required', "Only the instructor's view runs scenarios.");
    }
  };

  router.get('/scenarios', csrf, async (ctx) => {
    requireInstructor(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await listOrUnavailable(launcher);
  });

  router.post('/scenarios/run', csrf, bodyParser({ enableTypes: ['json'], jsonLimit: '1kb' }), async (ctx) => {
    requireInstructor(ctx);
    const { id } = (ctx.request.body ?? {}) as { id?: unknown };
    const scenario = (await listOrUnavailable(launcher)).find((candidate) => candidate.id === id);
    if (!scenario) throw new HttpError(400, 'unknown_scenario', 'No scenario has this id (GET /bff/xray/scenarios lists them).');
    if (launcher.running) throw new HttpError(409, 'scenario_running', 'A scenario is running; start the next one when it has ended.');
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 202;
    ctx.body = { runId: launcher.start(scenario) };
  });

  router.get('/scenarios/run/stream', (ctx) => {
    requireInstructor(ctx);
    const res = openEventStream(ctx);
    const send = (event: ScenarioRunEvent) => res.write(`event: ${event.event}\ndata: ${JSON.stringify(event)}\n\n`);
    const subscription = launcher.subscribe(send, () => res.end());
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    res.once('close', () => {
      clearInterval(heartbeat);
      subscription.unsubscribe();
    });
    for (const event of subscription.backlog) send(event);
  });
}

async function listOrUnavailable(launcher: ScenarioLauncher) {
  try {
    return await launcher.list();
  } catch (error) {
    throw new HttpError(503, 'scenarios_unavailable', 'The scenario command did not list the scenarios (see the BFF log).', { cause: error });
  }
}
