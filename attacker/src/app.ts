import Koa from 'koa';
import { handleErrors, rejectMalformedUrl, type ServiceHook } from '@lab/kit';
import type { AttackerConfig } from './config.ts';
import type { LootStore } from './loot.ts';
import { createCollectRoutes } from './routes/collect.ts';
import { createPageRoutes } from './routes/pages.ts';

export interface AttackerDeps {
  readonly loot: LootStore;
  /** The lab's instruments (trace, control routes, the loot routes the scenarios read). */
  readonly hook?: ServiceHook;
}

/** Mallory's site. It plays the attacker in the theft scenarios; nothing here is a pattern to copy. */
export function createApp(config: AttackerConfig, deps: AttackerDeps): Koa {
  const app = new Koa();
  if (deps.hook?.middleware) app.use(deps.hook.middleware);
  app.use(handleErrors((error) => console.error(`attacker: ${error instanceof Error ? error.message : String(error)}`)));
  app.use(rejectMalformedUrl());
  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok', service: 'attacker' };
      return;
    }
    await next();
  });
  app.use(createCollectRoutes(deps.loot).routes());
  app.use(createPageRoutes(config.topology, deps.loot).routes());
  return app;
}
