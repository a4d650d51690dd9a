import Router from '@koa/router';
import {
  HttpError,
  labControlMiddleware,
  traceRequests,
  type DefenceSwitches,
  type ExtraSettings,
  type TraceRecorder,
} from '@lab/shared';
import type Provider from 'oidc-provider';
import type { AuthServerConfig } from './config.ts';
import { createProvider } from './provider.ts';
import { createInteractionRoutes } from './routes/interactions.ts';
import { protectFromFraming } from './middleware/protect-from-framing.ts';

export interface AuthServerDeps {
  readonly signingJwk: Record<string, unknown>;
  readonly defences: DefenceSwitches;
  readonly recorder: TraceRecorder;
}

/**
 * The authorization server: oidc-provider (itself a Koa app) with the lab's login and consent
 * pages and a health check. Never listens; `main.ts` does.
 */
export function createApp(config: AuthServerConfig, deps: AuthServerDeps): Provider {
  const tokenSettings = { accessTokenTtlSeconds: config.accessTokenTtlSeconds };
  const provider = createProvider(config, { ...deps, tokenSettings });
  // Learners run it over plain http on loopback; behind a real TLS proxy set `proxy = true`.
  provider.proxy = false;

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', service: 'authserver', issuer: config.issuer };
  });

  provider.use(traceRequests(deps.recorder, 'authserver'));
  provider.use(protectFromFraming(deps.defences));
  provider.use(health.routes());
  provider.use(
    labControlMiddleware({
      key: config.lab.controlKey,
      defences: deps.defences,
      recorder: deps.recorder,
      extra: accessTokenTtlSetting(tokenSettings),
    }),
  );
  provider.use(createInteractionRoutes(provider).routes());
  return provider;
}

function accessTokenTtlSetting(tokenSettings: { accessTokenTtlSeconds: number }): ExtraSettings {
  return {
    read: () => ({ accessTokenTtlSeconds: tokenSettings.accessTokenTtlSeconds }),
    apply: (patch) => {
      const ttl = patch.accessTokenTtlSeconds;
      if (ttl === undefined) return;
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
        throw new HttpError(400, 'invalid_setting', 'accessTokenTtlSeconds must be a whole number of seconds from 1 to 86400.');
      }
      tokenSettings.accessTokenTtlSeconds = ttl;
    },
  };
}
