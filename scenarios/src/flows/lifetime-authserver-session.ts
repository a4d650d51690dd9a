import type { Page } from 'playwright-core';
import type { LabTopology } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { describeOffset } from '../lab-time.ts';
import { fieldsOf, findExchange, findExchanges, queryOf } from '../library/exchanges.ts';
import { appSettled, signInAtAuthorizationServer, signInByRequests } from '../library/sign-in.ts';
import { authServerSessionCookieExpiry, bffSessionOf, iso, labNow, readLifetimes } from '../library/lifetimes.ts';

/** A POST of the login form at the authorization server: the password was asked for, and given. */
const LOGIN_FORM = /^\/interaction\/[^/]+\/login$/;

/** "Sign in" in the app, up to the first page that is not a redirect: the authorization server's, or the app again. */
async function clickSignIn(page: Page, topology: LabTopology): Promise<'login page' | 'consent page' | 'the app'> {
  await page.getByTestId('login-button').click();
  await page.waitForURL((url) => url.origin === topology.spa.url || url.pathname.startsWith('/interaction/'));
  if (new URL(page.url()).origin === topology.spa.url) return 'the app';
  await page.locator('button').first().waitFor();
  return (await page.locator('#password').count()) > 0 ? 'login page' : 'consent page';
}

/**
 * Single sign-on and its end (OpenID Connect Core 1.0 §3.1.2.3: the authorization server may
 * authenticate the user by an existing session). The BFF's login sends no `prompt` and no
 * `max_age`: whether the password is asked again is the authorization server's decision, from its
 * own session cookie. While that session lives, a new BFF session starts without a password; once
 * it has ended, the login page asks again.
 */
export const authServerSessionExpiry = defineScenario({
  id: 'lifetime-authserver-session',
  title: 'Authorization server session: sign in again without a password, until that session ends',
  kind: 'flow',
  teaches:
    'The authorization server keeps its own session (its cookie, on its own site): while it lives, a new BFF session needs no password (single sign-on); every visit gives it its whole lifetime again. Once it has ended, the next login asks for the password. The BFF session and the authorization server session end apart: two lifetimes.',
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "The lifetimes are the lab's, read from GET /_lab/settings: the authorization server's session (ttl.Session, 8 h) and the BFF session's idle timeout (BFF_SESSION_IDLE, 30 min).",
    "Time passes by moving the lab's clock: every service and the browser together, and nobody waits.",
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const issuer = topology.authserver.url;
    const lifetimes = await readLifetimes(lab);
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app as alice, with her password',
        look: "the authorization server's session cookie (_session, for its own site) and when it expires",
      },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        const exchanges = await s.exchanges();
        const login = findExchange(exchanges, { to: 'bff', path: '/bff/login' });
        const request = queryOf(login?.responseHeaders.location);
        const expiry = await authServerSessionCookieExpiry(browser, issuer);
        const now = await labNow(lab);
        s.expect(
          'she typed her password: the login form was posted',
          1,
          findExchanges(exchanges, { to: 'authserver', method: 'POST', path: LOGIN_FORM }).length,
        );
        s.expect(
          "the BFF's authorization request asks for no fresh login: no prompt, no max_age",
          { prompt: undefined, max_age: undefined },
          {
            prompt: request.prompt,
            max_age: request.max_age,
          },
        );
        s.check(
          `the browser holds _session for ${issuer}, expiring ${describeOffset(lifetimes.authServerSession)} from now (ttl.Session)`,
          `about ${iso(now + lifetimes.authServerSession * 1000)}`,
          iso(expiry),
          expiry !== undefined && Math.abs(expiry - (now + lifetimes.authServerSession * 1000)) < 10_000,
        );
        s.sees({
          browser: `bff_session for ${topology.spa.url}, _session for ${issuer}`,
          bff: "alice's session and tokens",
          authserver: "alice's session: she signed in here",
        });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: "is away longer than the BFF's idle timeout, then opens the app again",
        look: '401 session_expired from the BFF: its session ended; the authorization server keeps its own',
      },
      async (s) => {
        const { idleExpiresAt = 0 } = await bffSessionOf(page);
        const gap = Math.ceil((idleExpiresAt - (await labNow(lab))) / 1000) + 1;
        s.note(`The BFF session's idle deadline is ${iso(idleExpiresAt)}: the clock moves ${describeOffset(gap)}, to 1 s past it.`);
        await s.moveLabTime(gap);
        await page.reload();
        await page.getByTestId('login-button').waitFor();
        // The app's own call as it loads (the step's first one, before the jump, read the idle deadline).
        const user = findExchanges(await s.exchanges(), { to: 'bff', path: '/bff/user' }).at(-1);
        s.expect(
          'GET /bff/user: 401 session_expired',
          { status: 401, error: 'session_expired' },
          { status: user?.status, error: fieldsOf(user?.responseBody).error },
        );
        s.check(
          "the authorization server's session outlives it: _session expires later",
          `after ${iso(await labNow(lab))}`,
          iso(await authServerSessionCookieExpiry(browser, issuer)),
          ((await authServerSessionCookieExpiry(browser, issuer)) ?? 0) > (await labNow(lab)),
        );
        s.sees({ browser: 'the signed-out app; _session still there', bff: 'no session for alice', authserver: "alice's session, alive" });
      },
    );

    let ssoExpiry: number | undefined;
    await step(
      {
        actor: 'Resource Owner',
        action: 'clicks "Sign in"',
        look: 'no login page: the authorization server knows her browser (single sign-on)',
      },
      async (s) => {
        const shown = await clickSignIn(page, topology);
        s.expect(
          'the authorization server shows the consent page, not the login page: no password asked',
          { page: 'consent page', passwordField: 0 },
          { page: shown, passwordField: await page.locator('#password').count() },
        );
        s.note(
          'Why consent again: when its session ended, the BFF revoked its refresh token (RFC 7009), and oidc-provider revokes the grant with it (its default revokeGrantPolicy). Her session here is untouched: it knows who she is, it asks what she allows.',
        );
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.waitForURL((url) => url.origin === topology.spa.url);
        const name = await page.getByTestId('user-name').textContent();
        // Her notes loaded: no call of this page load is still on its way when the clock moves next.
        await appSettled(page);
        const exchanges = await s.exchanges();
        ssoExpiry = await authServerSessionCookieExpiry(browser, issuer);
        const now = await labNow(lab);
        s.expect('she is signed in to the app again, as alice', 'alice', name);
        s.expect(
          'without the login form: no POST to /interaction/…/login',
          0,
          findExchanges(exchanges, { to: 'authserver', method: 'POST', path: LOGIN_FORM }).length,
        );
        s.check(
          `this visit gave the authorization server's session its whole ${describeOffset(lifetimes.authServerSession)} again: _session now expires then`,
          `about ${iso(now + lifetimes.authServerSession * 1000)}`,
          iso(ssoExpiry),
          ssoExpiry !== undefined && Math.abs(ssoExpiry - (now + lifetimes.authServerSession * 1000)) < 10_000,
        );
        s.sees({
          browser: 'a new bff_session; the same _session',
          bff: 'a new session for alice, new tokens',
          authserver: 'the same session, its lifetime started again',
        });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: "is away until the authorization server's session has ended (the clock moves to 1 s past it), then opens the app",
        look: 'both sessions ended: the app shows "Sign in"',
      },
      async (s) => {
        const gap = Math.ceil(((ssoExpiry ?? 0) - (await labNow(lab))) / 1000) + 1;
        s.note(`_session expires at ${iso(ssoExpiry)}: the clock moves ${describeOffset(gap)}.`);
        const move = await s.moveLabTime(gap);
        await page.reload();
        await page.getByTestId('login-button').waitFor();
        const user = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/user' });
        s.expect(
          'GET /bff/user: 401 session_expired (the BFF session of step 3 has ended too)',
          { status: 401, error: 'session_expired' },
          { status: user?.status, error: fieldsOf(user?.responseBody).error },
        );
        s.check(
          'the authorization server reports its session expired in the jump (and the BFF its own)',
          'Session ≥ 1, BFF sessions ≥ 1',
          move.expired,
          (move.expired.Session ?? 0) >= 1 && (move.expired['BFF sessions'] ?? 0) >= 1,
        );
        s.note("The browser still holds the _session cookie (its own clock is not the lab's); the authorization server no longer has the session it names.");
        s.sees({ browser: 'the signed-out app', bff: 'no session', authserver: 'no session for alice' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'clicks "Sign in"',
        look: 'the login page: the password is asked again',
      },
      async (s) => {
        const shown = await clickSignIn(page, topology);
        s.expect(
          'the authorization server shows its login page, with a password field',
          { page: 'login page', passwordField: 1 },
          {
            page: shown,
            passwordField: await page.locator('#password').count(),
          },
        );
        await signInAtAuthorizationServer(page, topology, 'alice');
        await page.getByTestId('user-name').waitFor();
        const login = findExchange(await s.exchanges(), { to: 'authserver', method: 'POST', path: LOGIN_FORM });
        s.expect('she types her password: the login form is posted, and accepted (a redirect on)', 303, login?.status);
        s.expect('she is signed in again, as alice', 'alice', await page.getByTestId('user-name').textContent());
        s.sees({ browser: 'a new bff_session, a new _session', bff: 'a new session', authserver: 'a new session for alice: a new single sign-on period' });
      },
    );
  },
});
