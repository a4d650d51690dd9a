import type { Middleware } from 'koa';
import type { RunSettings } from '../run-settings.ts';

/**
 * CORS for the anti-pattern mode only. With the BFF, browsers never call this API: no CORS header
 * at all, so a page on any other origin cannot read its answers. In `public-client` mode the SPA
 * calls it from the browser with `Authorization: Bearer`, so exactly the app's origin is allowed:
 *
 * - a preflight (`OPTIONS` with `Access-Control-Request-Method`) answers 204 with the methods and
 *   the headers the SPA sends;
 * - every other answer names the app's origin, and lets the SPA read `WWW-Authenticate` (the
 *   RFC 6750 §3 challenge that says the token expired);
 * - no `Access-Control-Allow-Credentials`: the API uses no cookie, the token is in a header.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function allowSpaOrigin(settings: RunSettings, spaOrigin: string): Middleware {
  return async function allowSpaOriginMiddleware(ctx, next) {
    if (!settings.publicClient) return next();
    ctx.vary('Origin');
    if (ctx.get('Origin') !== spaOrigin) return next();
    ctx.set('Access-Control-Allow-Origin', spaOrigin);
    if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return undefined;
    }
    ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate');
    return next();
  };
}
