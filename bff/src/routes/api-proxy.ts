import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type { IncomingAnswer, PooledRequest } from '@lab/kit';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from '../config.ts';
import { notSignedInError, readSession } from '../session.ts';
import type { SessionTokens } from '../session-tokens.ts';
import type { StoredTokens } from '../session.ts';
import type { ApiCall } from '../dpop-api-call.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';
import {
  ApiRouteNotAllowedError,
  InvalidApiPathError,
  JsonTooDeepError,
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
const UPSTREAM_TIMEOUT_MS = 5_000;
/** Notes are flat objects; nothing the API takes is nested deeper. */
const MAX_JSON_DEPTH = 32;

export interface ApiProxyDeps {
  readonly config: BffConfig;
  readonly tokens: SessionTokens;
  readonly defences: DefenceSwitches;
  /** The back channel to the API (traced in the lab; Node's HTTP client on keep-alive connections: kit's `createPooledRequest`). */
  readonly send: PooledRequest;
  /** A call with a DPoP-bound token: `Authorization: DPoP` and a fresh proof (dpop-api-call.ts). */
  readonly sendWithDpop: (accessToken: string, url: URL, call: ApiCall) => Promise<IncomingAnswer>;
}

export function createApiProxyRoutes({ config, tokens, defences, send, sendWithDpop }: ApiProxyDeps): Router {
  const router = new Router();
  const parseBody = bodyParser({ enableTypes: ['json', 'text'], jsonLimit: '16kb', textLimit: '16kb', encoding: 'utf-8' });

  const apiOrigin = new URL(config.apiUrl).origin;

  router.all('/api/{*rest}', requireCsrfHeader(defences), parseBody, async (ctx) => {
    acceptJsonOnly(ctx, defences.isOn('csrf-header'));
    const upstream = resolveUpstreamUrl(ctx, config.apiUrl, apiOrigin, defences.isOn('proxy-allowlist'));
    const { sid } = readSession(ctx);
    if (!sid) throw notSignedInError(ctx);
    const body = hasBody(ctx) ? JSON.stringify(ctx.request.body) : undefined;
    const call = (used: StoredTokens) => callApi({ send, sendWithDpop }, upstream, ctx.method, used, body);

    try {
      let used = await tokens.fresh(sid);
      let response = await call(used);
      if (refusedAsInvalid(response)) {
        // The API no longer accepts this token (its keys changed, the grant was revoked): one
        // refresh and one retry. The refused call did nothing, so repeating it is safe.
        used = await tokens.refreshAfterRefusal(sid, used);
        response = await call(used);
        if (refusedAsInvalid(response)) {
          await tokens.end(sid, { revoke: true });
          throw new SessionExpiredError('the notes API refuses the tokens of this session');
        }
      }
      ctx.status = response.status;
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = response.headers[name];
        if (value) ctx.set(name, value);
      }
      ctx.set('Cache-Control', 'no-store');
      ctx.body = response.body;
    } catch (error) {
      // The app sends the user to sign in again; the cookie session goes with the tokens.
      if (error instanceof SessionExpiredError) ctx.session = null;
      throw error;
    }
  });

  return router;
}

/**
 * One call to the resource API; the access token travels in the Authorization header, BFF → API
 * only: as the token endpoint said (`token_type`), a Bearer token (RFC 6750 §2.1) or a DPoP-bound one
 * with a proof of the BFF's key (RFC 9449 §7.1).
 */
async function callApi(
  { send, sendWithDpop }: Pick<ApiProxyDeps, 'send' | 'sendWithDpop'>,
  upstream: URL,
  method: string,
  tokens: StoredTokens,
  body: string | undefined,
): Promise<IncomingAnswer> {
  const headers = { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  try {
    if (tokens.tokenType === 'dpop') return await sendWithDpop(tokens.accessToken, upstream, { method, headers, body, timeoutMs: UPSTREAM_TIMEOUT_MS });
    return await send(upstream, { method, headers: { authorization: `Bearer ${tokens.accessToken}`, ...headers }, body, timeoutMs: UPSTREAM_TIMEOUT_MS });
  } catch (error) {
    throw new ResourceApiUnavailableError(error);
  }
}

/**
 * RFC 6750 §3.1: 401 with `error="invalid_token"`: expired, revoked, malformed or signed with an
 * unknown key. Or RFC 9449 §7.1 `invalid_dpop_proof`: a token bound to a key the BFF no longer
 * holds (restarted without `BFF_DPOP_JWK`); a refresh binds the new token to the current key.
 */
function refusedAsInvalid(response: IncomingAnswer): boolean {
  return response.status === 401 && /\berror="(invalid_token|invalid_dpop_proof)"/.test(response.headers['www-authenticate'] ?? '');
}

/**
 * Builds the upstream URL from the path after `/api`, refusing anything that could change the
 * host or climb out of the API: `..`, encoded `/`, `\` or `.`, `//`, `@`, and any route not on the list.
 */
function resolveUpstreamUrl(ctx: Context, apiUrl: string, apiOrigin: string, allowListOn: boolean): URL {
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
  if (url.origin !== apiOrigin || !allowed) throw new ApiRouteNotAllowedError(ctx.method, rawPath);
  return url;
}

/**
 * Bodies must be `application/json`, a type no cross-site form can send. With the CSRF defence
 * weakened the proxy takes `text/plain` as JSON too, as lenient frameworks do, which is exactly
 * what a forged cross-site request needs.
 */
function acceptJsonOnly(ctx: Context, strict: boolean): void {
  const type = ctx.request.type;
  // A body without any Content-Type is no JSON either (the resource API answers it 415 too).
  if (type === '' && hasRequestBody(ctx)) throw new UnsupportedMediaTypeError();
  if (type !== '' && !ctx.is('json')) {
    if (strict || !ctx.is('text/plain')) throw new UnsupportedMediaTypeError();
    try {
      ctx.request.body = JSON.parse(String(ctx.request.body ?? '')) as unknown;
    } catch {
      throw new UnsupportedMediaTypeError();
    }
  }
  // Right after parsing, before anything walks the body again (the trace, JSON.stringify for the
  // upstream call): a few KB of `[[[[…` overflow a recursive walker's stack.
  if (jsonDepth(ctx.request.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new JsonTooDeepError(MAX_JSON_DEPTH);
}

/** How deep `value` nests, counted without recursion, stopping once past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, depth] = next;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const inner of Object.values(current)) pending.push([inner, depth + 1]);
  }
  return deepest;
}

/** Whether the request came with a body at all (a length over 0, or chunks). */
function hasRequestBody(ctx: Context): boolean {
  return ctx.get('Transfer-Encoding') !== '' || Number(ctx.get('Content-Length') || 0) > 0;
}

function hasBody(ctx: Context): boolean {
  return ctx.request.body !== undefined && !['GET', 'HEAD', 'DELETE'].includes(ctx.method);
}
