import Koa from 'koa';
import { createLabControlRoutes, handleErrors, rejectMalformedUrl, traceRequests, type DefenceSwitches, type TraceRecorder } from '@lab/shared';
import type { AttackerConfig } from './config.ts';
import type { LootStore } from './loot.ts';
import { createCollectRoutes } from './routes/collect.ts';
import { createPageRoutes } from './routes/pages.ts';

export interface AttackerDeps {
  readonly loot: LootStore;
  readonly recorder: TraceRecorder;
  readonly defences: DefenceSwitches;
}

/** Mallory's site. It plays the attacker in the theft scenarios; nothing here is a pattern to copy. */
export function createApp(config: AttackerConfig, deps: AttackerDeps): Koa {
  const app = new Koa();
  app.use(traceRequests(deps.recorder, 'attacker'));
  app.use(handleErrors((error) => console.error(`attacker: ${error instanceof Error ? error.message : String(error)}`)));
  app.use(rejectMalformedUrl());
  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok', service: 'attacker' };
      return;
    }
    await next();
  });
  app.use(
    createLabControlRoutes({
      key: config.lab.controlKey,
      defences: deps.defences,
      recorder: deps.recorder,
      extraRoutes: (router) => {
        // What the attacker has collected: the scenarios read it to see whether an attack worked.
        router.get('/loot', (ctx) => {
          ctx.body = { loot: deps.loot.list() };
        });
        router.delete('/loot', (ctx) => {
          deps.loot.clear();
          ctx.status = 204;
        });
      },
    }).routes(),
  );
  app.use(createCollectRoutes(deps.loot).routes());
  app.use(createPageRoutes(config.topology, deps.loot).routes());
  return app;
}
