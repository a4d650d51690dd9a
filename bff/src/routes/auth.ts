import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from '../config.ts';
import type { OidcClient } from '../oidc-client.ts';
import { readSession, type LoginAttempt } from '../session.ts';
import { toLocalPath } from '../return-to.ts';
import { InvalidReturnToError, InvalidStateError } from '../errors.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';

/** At most this many unfinished logins per browser session (several tabs); the oldest go first. */
const MAX_PENDING_LOGINS = 3;
/** A session that only holds login attempts lives as long as a login may take, not a whole day. */
const ANONYMOUS_SESSION_MS = 10 * 60 * 1000;

/** Login, callback and logout: the only routes that see the authorization server's front channel. */
export function createAuthRoutes(config: BffConfig, oidc: OidcClient, defences: DefenceSwitches): Router {
  const router = new Router({ prefix: '/bff' });

  // GET /bff/login?returnTo=/path: a navigation, not a JSON call, so no X-CSRF here.
  router.get('/login', async (ctx) => {
    const requested = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : '/';
    const returnTo = defences.isOn('return-to-validation') ? toLocalPath(requested, config.publicOrigin) : requested;
    if (returnTo === undefined) throw new InvalidReturnToError();

    const { url, state, attempt } = await oidc.startLogin(returnTo);
    const session = readSession(ctx);
    const pending = Object.entries<LoginAttempt>(session.loginAttempts ?? {})
      .sort(([, a], [, b]) => b.startedAt - a.startedAt)
      .slice(0, MAX_PENDING_LOGINS - 1);
    session.loginAttempts = Object.fromEntries([[state, attempt], ...pending]);
    if (!session.user) session.maxAge = ANONYMOUS_SESSION_MS;
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(url.toString());
  });

  // GET /bff/callback?code=…&state=…&iss=…: the registered redirect URI.
  router.get('/callback', async (ctx) => {
    // RFC 9700 §4.2.4: no Referer may carry the code onwards from here.
    if (defences.isOn('referrer-policy')) ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');

    const session = readSession(ctx);
    const attempts = session.loginAttempts ?? {};
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    const attempt = findAttempt(attempts, state, defences.isOn('state'));
    if (!attempt) {
      throw new InvalidStateError(
        state
          ? 'This callback does not belong to a login started in this browser (unknown or already used state).'
          : 'The callback has no state parameter.',
      );
    }
    // One use only, whatever happens next: a replayed callback finds nothing.
    delete attempts[attempt.key];
    session.loginAttempts = attempts;

    const callbackUrl = new URL(`${config.redirectUri}?${ctx.querystring}`);
    const { user, tokens } = await oidc.finishLogin(callbackUrl, attempt.value, attempt.key);

    // Session fixation defence (OWASP): the signed-in session gets a new id; the old one is gone.
    if (defences.isOn('session-regeneration')) await session.regenerate();
    const signedIn = readSession(ctx);
    signedIn.loginAttempts = undefined;
    signedIn.sid = randomUUID();
    signedIn.signedInAt = Date.now();
    signedIn.user = user;
    signedIn.tokens = tokens;
    signedIn.maxAge = config.sessionTtlSeconds * 1000;
    if (defences.isOn('referrer-policy')) {
      // A bare redirect: no page is rendered with the code in its URL, so no Referer can carry it.
      ctx.redirect(attempt.value.returnTo);
      return;
    }
    renderLeakyInterstitial(ctx, attempt.value.returnTo, config.analyticsPixelUrl);
  });

  // POST /bff/logout: ends the BFF session here and tells the SPA where the authorization server
  // ends its own (RP-initiated logout). A JSON call, so it needs X-CSRF like the others.
  router.post('/logout', requireCsrfHeader(defences), async (ctx) => {
    const session = readSession(ctx);
    const tokens = session.tokens;
    ctx.session = null;
    if (tokens) await oidc.revoke(tokens);
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
  ctx.body = `<!doctype html><meta charset="utf-8"><title>Signing you in…</title>
<meta http-equiv="refresh" content="1;url=${escapeAttribute(returnTo)}">
<p>Signing you in…</p><img alt="" width="1" height="1" src="${escapeAttribute(pixelUrl)}">`;
}

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function findAttempt(
  attempts: Record<string, LoginAttempt>,
  state: string | undefined,
  checkState: boolean,
): { key: string; value: LoginAttempt } | undefined {
  if (checkState) {
    if (state === undefined || !Object.hasOwn(attempts, state)) return undefined;
    return { key: state, value: attempts[state] as LoginAttempt };
  }
  // Weakened: take the newest login of this browser, or finish a login it never started.
  const newest = Object.entries<LoginAttempt>(attempts).sort(([, a], [, b]) => b.startedAt - a.startedAt)[0];
  if (newest) return { key: newest[0], value: newest[1] };
  return { key: state ?? 'none', value: { returnTo: '/', startedAt: Date.now() } };
}
