import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from '../config.ts';
import { readSession, type StoredTokens } from '../session.ts';
import { needsRefresh, type TokenRefresher } from '../token-refresher.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';
import {
  ApiRouteNotAllowedError,
  AuthServerUnavailableError,
  InvalidApiPathError,
  NotAuthenticatedError,
  OAuthError,
  ResourceApiUnavailableError,
  SessionExpiredError,
  UnsupportedMediaTypeError,
} from '../errors.ts';

/**
 * The routes of the resource API that the BFF forwards, and nothing else. The BFF attaches the
 * user's access token, so an open proxy here would hand that token to whoever names a host
 * (RFC 9700 §4.9; OAuth for browser-based apps, BFF section).
 */
const ALLOWED_ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'GET', path: '/notes' },
  { method: 'POST', path: '/notes' },
];

const FORWARDED_RESPONSE_HEADERS = ['content-type', 'www-authenticate'];
const UPSTREAM_TIMEOUT_MS = 10_000;

export function createApiProxyRoutes(
  config: BffConfig,
  refresher: TokenRefresher,
  defences: DefenceSwitches,
  fetchImpl: typeof fetch = fetch,
): Router {
  const router = new Router();
  const parseBody = bodyParser({ enableTypes: ['json', 'text'], jsonLimit: '16kb', textLimit: '16kb', encoding: 'utf-8' });

  router.all('/api/{*rest}', requireCsrfHeader(defences), parseBody, async (ctx) => {
    acceptJsonOnly(ctx, defences.isOn('csrf-header'));
    const upstream = resolveUpstreamUrl(ctx, config.apiUrl, defences.isOn('proxy-allowlist'));
    const tokens = await currentTokens(ctx, refresher);

    let response: Response;
    try {
      response = await fetchImpl(upstream, {
        method: ctx.method,
        headers: {
          // RFC 6750 §2.1: the access token travels in the Authorization header, BFF → API only.
          Authorization: `Bearer ${tokens.accessToken}`,
          Accept: 'application/json',
          ...(hasBody(ctx) ? { 'Content-Type': 'application/json' } : {}),
        },
        body: hasBody(ctx) ? JSON.stringify(ctx.request.body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ResourceApiUnavailableError(error);
    }

    ctx.status = response.status;
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value) ctx.set(name, value);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = Buffer.from(await response.arrayBuffer());
  });

  return router;
}

/**
 * Builds the upstream URL from the path after `/api`, refusing anything that could change the
 * host or climb out of the API: `..`, encoded `/`, `\` or `.`, `//`, `@`, and any route not on the list.
 */
function resolveUpstreamUrl(ctx: Context, apiUrl: string, allowListOn: boolean): URL {
  const rawPath = ctx.path.slice('/api'.length);
  if (!allowListOn) {
    // Weakened on purpose: the path is resolved as a URL reference against the API's base, so
    // `//host/...` (a network-path reference) names another host: the bug that turns a BFF into a token leak.
    return new URL(ctx.url.slice('/api'.length), apiUrl);
  }
  if (!/^\/[A-Za-z0-9/_-]*$/.test(rawPath) || rawPath.includes('//')) throw new InvalidApiPathError();
  const url = new URL(rawPath, apiUrl);
  url.search = ctx.querystring;
  const allowed = ALLOWED_ROUTES.some((route) => route.method === ctx.method && route.path === url.pathname);
  if (url.origin !== new URL(apiUrl).origin || !allowed) throw new ApiRouteNotAllowedError(ctx.method, rawPath);
  return url;
}

/** The session's access token, refreshed first when it has expired (RFC 6749 §6). */
async function currentTokens(ctx: Context, refresher: TokenRefresher): Promise<StoredTokens> {
  const session = readSession(ctx);
  if (!session.tokens || !session.sid) throw new NotAuthenticatedError();
  if (!needsRefresh(session.tokens)) return session.tokens;
  try {
    session.tokens = await refresher.refresh(session.sid, session.tokens);
    return session.tokens;
  } catch (error) {
    if (error instanceof AuthServerUnavailableError) throw error;
    // invalid_grant: the refresh token expired, was revoked, or its reuse revoked the grant.
    ctx.session = null;
    throw new SessionExpiredError(error instanceof OAuthError ? error.message : 'the tokens could not be refreshed');
  }
}

/**
 * Bodies must be `application/json`, a type no cross-site form can send. With the CSRF defence
 * weakened the proxy takes `text/plain` as JSON too, as lenient frameworks do, which is exactly
 * what a forged cross-site request needs.
 */
function acceptJsonOnly(ctx: Context, strict: boolean): void {
  const type = ctx.request.type;
  if (type === '' || ctx.is('json')) return;
  if (strict || !ctx.is('text/plain')) throw new UnsupportedMediaTypeError();
  try {
    ctx.request.body = JSON.parse(String(ctx.request.body ?? '')) as unknown;
  } catch {
    throw new UnsupportedMediaTypeError();
  }
}

function hasBody(ctx: Context): boolean {
  return ctx.request.body !== undefined && !['GET', 'HEAD', 'DELETE'].includes(ctx.method);
}
