import Router from '@koa/router';
import type { Context } from 'koa';
import { html } from '@lab/kit';
import { readSession } from '../session.ts';
import { toLocalPath } from '../return-to.ts';
import { InvalidReturnToError } from '../errors.ts';
import { completeLogin, type LoginDeps } from '../complete-login.ts';
import type { FlowSetting } from '../flow-setting.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';

/** Login, callback and logout: the only routes that see the authorization server's front channel. */
export function createAuthRoutes(deps: LoginDeps, flow: FlowSetting): Router {
  const { config, oidc, defences, attempts, tokens } = deps;
  const router = new Router({ prefix: '/bff' });

  // GET /bff/login?returnTo=/path: a navigation, not a JSON call, so no X-CSRF here.
  router.get('/login', async (ctx) => {
    const requested = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : '/';
    const returnTo = defences.isOn('return-to-validation') ? toLocalPath(requested, config.publicOrigin) : requested;
    if (returnTo === undefined) throw new InvalidReturnToError();

    // The seed's variant sends the code to the SPA's page instead of the BFF (see seed-code.ts).
    const redirectUri = flow.current === 'seed' ? config.seedRedirectUri : config.redirectUri;
    const { url, state, attempt } = await oidc.startLogin(returnTo, redirectUri);
    attempts.add(readSession(ctx), state, attempt);
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(url.toString());
  });

  // GET /bff/callback?code=…&state=…&iss=…: the registered redirect URI.
  router.get('/callback', async (ctx) => {
    // RFC 9700 §4.2.4: no Referer may carry the code onwards from here.
    if (defences.isOn('referrer-policy')) ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
    const returnTo = await completeLogin(ctx, deps, new URLSearchParams(ctx.querystring));
    // What is sent in Location is checked as sent, whatever was stored with the attempt.
    const location = defences.isOn('return-to-validation') ? (toLocalPath(returnTo, config.publicOrigin) ?? '/') : returnTo;
    if (defences.isOn('referrer-policy')) {
      // A bare redirect: no page is rendered with the code in its URL, so no Referer can carry it.
      ctx.redirect(location);
      return;
    }
    renderLeakyInterstitial(ctx, location, config.analyticsPixelUrl);
  });

  // POST /bff/logout: ends the BFF session here and tells the SPA where the authorization server
  // ends its own (RP-initiated logout). A JSON call, so it needs X-CSRF like the others.
  router.post('/logout', requireCsrfHeader(defences), async (ctx) => {
    const { sid } = readSession(ctx);
    ctx.session = null;
    if (sid) await tokens.end(sid, { revoke: true });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { signedOut: true, logoutUrl: await oidc.logoutUrl() };
  });

  return router;
}

/**
 * Weakened on purpose (defence `referrer-policy` off): a "signing you in…" page rendered at the
 * callback URL, with a third-party pixel and `Referrer-Policy: unsafe-url`. The pixel's request
 * carries the whole callback URL, code included, as its Referer (RFC 9700 §4.2).
 */
function renderLeakyInterstitial(ctx: Context, returnTo: string, pixelUrl: string): void {
  ctx.set('Referrer-Policy', 'unsafe-url');
  ctx.type = 'html';
  ctx.body = html`<!doctype html><meta charset="utf-8"><title>Signing you in…</title>
<meta http-equiv="refresh" content="1;url=${returnTo}">
<p>Signing you in…</p><img alt="" width="1" height="1" src="${pixelUrl}">`.toString();
}
