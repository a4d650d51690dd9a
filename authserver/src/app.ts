import Router from '@koa/router';
import { findMalformedRequest, type ServiceHook } from '@lab/kit';
import type { DefenceSwitches } from '@lab/shared';
import type Provider from 'oidc-provider';
import type { AuthServerConfig } from './config.ts';
import { createProvider } from './provider.ts';
import { createInteractionRoutes } from './routes/interactions.ts';
import { protectFromFraming } from './middleware/protect-from-framing.ts';
import { answerStorageFull } from './middleware/answer-storage-full.ts';
import { forbidCachingTokenResponses } from './middleware/forbid-caching-token-responses.ts';
import { createRunSettings, type RunSettings } from './run-settings.ts';
import { MemoryStorage } from './storage/memory-storage.ts';
import { sendRetryAfterWhenStorageIsFull } from './storage/send-retry-after.ts';

export interface AuthServerDeps {
  readonly signingJwk: Record<string, unknown>;
  readonly defences: DefenceSwitches;
  /** What the lab may change while it runs (default: from the configuration). */
  readonly settings?: RunSettings;
  /** What may observe the authorization server (the lab's instruments); nothing by default. */
  readonly hook?: ServiceHook;
  /** Where the provider keeps sessions, grants and tokens; a new in-memory one by default (or storage/redis-storage.ts). */
  readonly storage?: Pick<MemoryStorage, 'adapter'>;
}

/**
 * The authorization server: oidc-provider (itself a Koa app) with the lab's login and consent
 * pages and a health check. Never listens; `main.ts` does.
 */
export function createApp(config: AuthServerConfig, deps: AuthServerDeps): Provider {
  const settings = deps.settings ?? createRunSettings(config);
  const storage = deps.storage ?? new MemoryStorage({ maxAnonymousEntries: config.maxAnonymousEntries, confidentialClients: [config.bffClient.clientId] });
  // Its outgoing calls (logout tokens to the BFF) go through the hook's fetch: the lab traces them.
  const provider = createProvider(config, { ...deps, settings, adapter: storage.adapter, fetch: deps.hook?.fetch });
  sendRetryAfterWhenStorageIsFull(provider);
  // Learners run it over plain http on loopback; behind a real TLS proxy set `proxy = true`.
  provider.proxy = false;

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', service: 'authserver', issuer: config.issuer };
  });

  if (deps.hook?.middleware) provider.use(deps.hook.middleware);
  // A Host no URL can hold, or a malformed percent-encoding: 400 before oidc-provider builds URLs from them.
  provider.use(async (ctx, next) => {
    const refusal = findMalformedRequest(ctx);
    if (!refusal) return next();
    ctx.status = refusal.status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: refusal.code, message: refusal.message };
    return undefined;
  });
  provider.use(protectFromFraming(deps.defences));
  provider.use(answerStorageFull());
  provider.use(forbidCachingTokenResponses);
  provider.use(health.routes());
  provider.use(createInteractionRoutes(provider).routes());
  return provider;
}
