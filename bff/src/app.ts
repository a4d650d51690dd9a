import Koa from 'koa';
import { createPooledRequest, handleErrors, rejectMalformedUrl, type ServiceHook } from '@lab/kit';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from './config.ts';
import type { SessionStore } from './session-store.ts';
import { createSessionMiddleware } from './session.ts';
import { SessionLifetimes } from './session-lifetimes.ts';
import { AUTHSERVER_TIMEOUT_SECONDS, OidcClient } from './oidc-client.ts';
import { SessionTokens } from './session-tokens.ts';
import { MemoryTokenStore, type TokenStore } from './token-store.ts';
import { LoginAttempts, type LoginAttemptLimits, type SharedLoginClaims } from './login-attempts.ts';
import type { RefreshLock } from './refresh-lock.ts';
import { createHealthRoutes } from './routes/health.ts';
import { createAuthRoutes } from './routes/auth.ts';
import { createSessionRoutes } from './routes/session.ts';
import { createApiProxyRoutes } from './routes/api-proxy.ts';
import { createSeedCodeRoutes } from './routes/seed-code.ts';
import type { FlowSetting } from './flow-setting.ts';
import { drainRequestBody } from './middleware/drain-request-body.ts';
import type { CryptoKeyPair } from 'openid-client';
import { createBackchannelLogoutRoutes } from './routes/backchannel-logout.ts';
import { createIssuerKeys } from './logout-token.ts';
import { ExpiringMap } from './expiring-map.ts';
import { callApiWithDpop, type ApiCall } from './dpop-api-call.ts';
import { fetchOverRequest } from './back-channel.ts';

export interface BffDeps {
  readonly store: SessionStore;
  /** The tokens of signed-in sessions, by `sid`, kept apart from the cookie sessions (default: in memory). */
  readonly tokenStore?: TokenStore;
  /** With several BFF instances (a shared store): the refresh lock and the login claims all instances share. */
  readonly refreshLock?: RefreshLock;
  readonly loginClaims?: SharedLoginClaims;
  /** Bounds on unfinished logins (tests use small ones). */
  readonly loginLimits?: Partial<LoginAttemptLimits>;
  readonly defences: DefenceSwitches;
  /** The flow it runs (default: the configured one). */
  readonly flow?: FlowSetting;
  readonly log?: (line: string) => void;
  /** What may observe the BFF (the lab's instruments); nothing by default. */
  readonly hook?: ServiceHook;
  /** The BFF's DPoP key pair (dpop-key.ts); generated on first use when not given. */
  readonly dpopKeyPair?: Promise<CryptoKeyPair>;
}

/** How long the BFF waits for the resource API. */
const UPSTREAM_TIMEOUT_MS = 5_000;

/** The Backend-for-Frontend: a confidential OAuth client with a session cookie for the SPA. */
export function createApp(config: BffConfig, deps: BffDeps): Koa {
  const app = new Koa();
  app.keys = [...config.sessionKeys];
  const log = deps.log ?? ((line: string) => console.error(line));
  // One back channel for every call the BFF makes: the API proxy's, and openid-client's and jose's
  // (a `fetch` over it) to the authorization server and, with DPoP, to the API.
  const send = deps.hook?.request ?? createPooledRequest();
  const backChannel = fetchOverRequest(send, AUTHSERVER_TIMEOUT_SECONDS * 1000);
  const oidc = new OidcClient(config, deps.defences, backChannel, { dpopKeyPair: deps.dpopKeyPair, apiFetch: fetchOverRequest(send, UPSTREAM_TIMEOUT_MS) });
  const flow: FlowSetting = deps.flow ?? { current: config.lab.flow };
  const tokenStore = deps.tokenStore ?? new MemoryTokenStore();

  // First: it sees the final answer, a 413 from the error handler included, and reads the rest of a
  // refused body before that answer goes out (else the proxy in front sees a reset, not the 413).
  app.use(drainRequestBody());
  if (deps.hook?.middleware) app.use(deps.hook.middleware);
  app.use(
    handleErrors((error, ctx) => {
      log(`bff: ${ctx.method} ${ctx.path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }),
  );
  app.use(rejectMalformedUrl());
  app.use((ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    return next();
  });
  app.use(createHealthRoutes().routes());
  const tokens = new SessionTokens(oidc, tokenStore, () => Date.now(), deps.refreshLock);
  const lifetimes = new SessionLifetimes(config.sessionIdleSeconds, config.sessionTtlSeconds);
  const attempts = new LoginAttempts(deps.loginLimits, () => Date.now(), deps.loginClaims);
  const login = { config, oidc, defences: deps.defences, attempts, tokens, lifetimes };
  const endTokens = (sid: string) => tokens.end(sid, { revoke: true });
  app.use(createSessionMiddleware(app, { store: deps.store, lifetimes, defences: deps.defences, endTokens }));
  // The API proxy first: it serves most requests, which then skip the other routers' matching.
  const sendWithDpop = (accessToken: string, url: URL, call: ApiCall) => callApiWithDpop(oidc, accessToken, url, call);
  app.use(createApiProxyRoutes({ config, tokens, defences: deps.defences, send, sendWithDpop }).routes());
  app.use(createAuthRoutes(login, flow).routes());
  app.use(createSeedCodeRoutes(login, flow).routes());
  app.use(createSessionRoutes(deps.defences, tokens, lifetimes).routes());
  app.use(
    createBackchannelLogoutRoutes(tokens, {
      issuer: config.issuer,
      clientId: config.clientId,
      // oidc-provider signs ID tokens, and so logout tokens, with RS256 (the bff client's default).
      algorithms: ['RS256'],
      getKey: createIssuerKeys(() => oidc.jwksUri(), backChannel),
      seen: new ExpiringMap<true>(),
    }).routes(),
  );
  return app;
}
