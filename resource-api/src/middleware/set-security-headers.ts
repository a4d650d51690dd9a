import type { Middleware } from 'koa';

/**
 * Headers every response gets, errors included. The API answers JSON only, so `nosniff` stops a
 * browser from ever reading one of its responses as HTML or script. No CORS headers here, on
 * purpose: with the BFF, browsers reach this API only through the BFF, server to server; a page on
 * another origin that calls it directly is not allowed to read the answer. (The anti-pattern mode
 * allows the app's origin: see `allow-spa-origin.ts`.)
 */
export function setSecurityHeaders(): Middleware {
  return async function setSecurityHeadersMiddleware(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  };
}
