import type { Cookie } from 'playwright-core';
import { defineScenario } from '../engine/scenario.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';
import { signInByRequests } from '../library/sign-in.ts';

interface BffAnswer {
  readonly status: number;
  readonly body: { error?: string; signedOut?: boolean; logoutUrl?: string; claims?: { sub?: string } };
}

/**
 * Sign-out on its own: the BFF ends its session and revokes the refresh token (RFC 7009), then
 * the browser ends the authorization server's session (OpenID Connect RP-Initiated Logout 1.0).
 * A copy of the old session cookie is worth nothing afterwards, and the next login asks for the
 * password again.
 */
export const logoutFlow = defineScenario({
  id: 'flow-logout',
  title: 'Logout: the BFF session, the refresh token and the authorization server session all end',
  kind: 'flow',
  teaches:
    "POST /bff/logout needs X-CSRF like every JSON call; it destroys the BFF session, revokes the refresh token on the back channel and answers the authorization server's end-session URL (with client_id, never the ID token). Afterwards a copied session cookie gets 401, and signing in again asks for the password.",
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "The attacker copies alice's session cookie while she is signed in (as malware on her machine could) and uses it from another browser.",
  ],
  async run({ topology, step, newUserAgent }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const attackerBrowser = await newUserAgent();
    const callBff = (method: string, path: string, headers: Record<string, string>) =>
      page.evaluate(
        async ({ method, path, headers }) => {
          const response = await fetch(path, { method, headers });
          return { status: response.status, body: (await response.json()) as BffAnswer['body'] };
        },
        { method, path, headers },
      );
    const attackerCalls = async (path: string): Promise<BffAnswer> => {
      const response = await attackerBrowser.request.get(`${spa}${path}`, { headers: { 'X-CSRF': '1' }, maxRedirects: 0 });
      return { status: response.status(), body: (await response.json()) as BffAnswer['body'] };
    };

    await step({ actor: 'Resource Owner', action: 'signs in to the app as alice', look: 'the session cookie the BFF sets' }, async (s) => {
      await signInByRequests(page, topology, 'alice');
      s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
      s.sees({ browser: 'bff_session for localhost, _session for 127.0.0.1', bff: "alice's tokens", authserver: "alice's single sign-on session" });
    });

    let copied: Cookie[] = [];
    await step(
      {
        actor: 'Attacker',
        action: "copies alice's session cookies into another browser and asks the BFF who is signed in",
        look: 'while the session lives, the cookie is all it takes',
      },
      async (s) => {
        copied = (await browser.cookies(spa)).filter((cookie) => cookie.name.startsWith('bff_session'));
        await attackerBrowser.addCookies(copied);
        const answer = await attackerCalls('/bff/user');
        s.expect('the copy is bff_session and its signature', ['bff_session', 'bff_session.sig'], copied.map((cookie) => cookie.name).sort());
        s.expect('the BFF takes the copy for alice', { status: 200, sub: 'alice' }, { status: answer.status, sub: answer.body.claims?.sub });
        s.note("The trace shows a User Agent: to the BFF the attacker's browser is just another browser presenting the cookie.");
        s.note(
          "HttpOnly stops page scripts, not malware that reads the browser's cookie store. A session cookie is a bearer credential until the session ends: hence logout.",
        );
        s.sees({ attacker: "alice's session cookie (not her tokens)", bff: 'two browsers with the same session id' });
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: 'sends POST /bff/logout without X-CSRF, as a form on another site would make it do',
        look: '403 csrf_header_missing, and the session survives',
      },
      async (s) => {
        const logout = await callBff('POST', '/bff/logout', {});
        const user = await callBff('GET', '/bff/user', { 'X-CSRF': '1' });
        s.expect('403 Forbidden', 403, logout.status);
        s.expect('error csrf_header_missing', 'csrf_header_missing', logout.body.error);
        s.expect('alice is still signed in', { status: 200, sub: 'alice' }, { status: user.status, sub: user.body.claims?.sub });
        s.note('A forged cross-site logout is a nuisance (logout CSRF); the same check stops forged writes. A cross-site form cannot add a custom header.');
        s.sees({ browser: 'the same session', bff: 'a request it refused before touching the session' });
      },
    );

    let logoutUrl = '';
    await step(
      {
        actor: 'Client: BFF',
        action: 'is asked by the app to sign out (POST /bff/logout with X-CSRF: 1)',
        look: "the answer's logoutUrl, and the revocation on the back channel",
      },
      async (s) => {
        const logout = await callBff('POST', '/bff/logout', { 'X-CSRF': '1' });
        logoutUrl = logout.body.logoutUrl ?? '';
        const exchanges = await s.exchanges();
        const revocation = findExchange(exchanges, { to: 'authserver', path: '/token/revocation', channel: 'back' });
        const query = queryOf(logoutUrl);
        s.expect('200 with signedOut: true', { status: 200, signedOut: true }, { status: logout.status, signedOut: logout.body.signedOut });
        s.expect(
          "logoutUrl: the authorization server's end_session_endpoint, naming the client and where to come back",
          `${issuer}/session/end?client_id=bff&post_logout_redirect_uri=${encodeURIComponent(`${spa}/`)}`,
          logoutUrl,
        );
        s.expect('without id_token_hint: the ID token never reaches the browser', undefined, query.id_token_hint);
        s.expect(
          'the BFF revokes the refresh token (RFC 7009)',
          { status: 200, token_type_hint: 'refresh_token' },
          { status: revocation?.status, token_type_hint: fieldsOf(revocation?.requestBody).token_type_hint },
        );
        s.check(
          'authenticated as client bff',
          'Basic base64(bff:…)',
          revocation?.requestHeaders.authorization,
          /^Basic base64\(bff:.+\)$/.test(revocation?.requestHeaders.authorization ?? ''),
        );
        s.expect(
          "the browser's session cookie is deleted",
          [],
          (await browser.cookies(spa)).map((cookie) => cookie.name).filter((name) => name.startsWith('bff_session')),
        );
        s.note("The session is destroyed in the BFF's store, not just forgotten by this browser: that is what makes the copy useless (next step).");
        s.sees({
          browser: 'no bff_session; still _session at 127.0.0.1',
          bff: 'nothing about alice',
          authserver: "the refresh token revoked; alice's SSO session still open",
        });
      },
    );

    await step({ actor: 'Attacker', action: 'replays the copied session cookie', look: '401 not_authenticated: the id points at nothing' }, async (s) => {
      const user = await attackerCalls('/bff/user');
      const notes = await attackerCalls('/api/notes');
      s.expect('GET /bff/user: 401 not_authenticated', { status: 401, error: 'not_authenticated' }, { status: user.status, error: user.body.error });
      s.expect('GET /api/notes: 401 not_authenticated', { status: 401, error: 'not_authenticated' }, { status: notes.status, error: notes.body.error });
      s.sees({ attacker: 'a cookie that opens nothing', bff: 'no session with that id' });
    });

    await step(
      {
        actor: 'Authorization Server',
        action: 'ends its own session when the browser follows logoutUrl (for a registered client the page confirms by itself)',
        look: 'its _session cookie removed, and the redirect back to the app',
      },
      async (s) => {
        const confirmed = page.waitForResponse((response) => response.url().startsWith(`${topology.authserver.url}/session/end/confirm`));
        await page.goto(logoutUrl);
        await confirmed;
        await page.waitForURL(`${spa}/**`);
        const exchanges = await s.exchanges();
        const confirm = findExchange(exchanges, { to: 'authserver', method: 'POST', path: '/session/end/confirm' });
        s.expect(
          'the confirmation redirects to the registered post_logout_redirect_uri',
          { status: 303, location: `${spa}/` },
          { status: confirm?.status, location: confirm?.responseHeaders.location },
        );
        s.expect(
          "the browser no longer holds the authorization server's session",
          [],
          (await browser.cookies(issuer)).map((cookie) => cookie.name).filter((name) => name.startsWith('_session')),
        );
        s.note(
          'The page posted oidc-provider\'s own form (with its CSRF token, xsrf) by itself: the request named the registered client and its registered post_logout_redirect_uri. Any other request gets the question "Sign out here too?".',
        );
        s.sees({ browser: 'no session anywhere', authserver: 'no session for alice in this browser' });
      },
    );

    await step({ actor: 'Resource Owner', action: 'clicks "Sign in" again', look: 'the login form appears: no silent sign-in' }, async (s) => {
      await page.getByTestId('login-button').click();
      await page.waitForURL(`${issuer}/interaction/**`);
      const exchanges = await s.exchanges();
      const authorize = findExchange(exchanges, { to: 'authserver', path: '/auth' });
      s.check(
        'the authorization server sends the browser to an interaction, not back to the app',
        '/interaction/<uid>',
        authorize?.responseHeaders.location,
        /^\/interaction\/[\w-]+$/.test(authorize?.responseHeaders.location ?? ''),
      );
      s.expect('and it asks for the password', 1, await page.locator('#password').count());
      const sent = (authorize?.requestHeaders.cookie ?? '').split(/;\s*/).map((pair) => pair.split('=')[0]);
      s.expect(
        'the browser sent /auth no _session cookie: there is none left',
        [],
        sent.filter((name) => name?.startsWith('_session')),
      );
      s.note(
        "Had only the BFF session ended, the authorization server would still know alice and skip the password (asking only for consent again, since the revocation also ended the grant): the app's logout alone is not a full sign-out.",
      );
      s.sees({ browser: 'the login page', authserver: 'nobody signed in' });
    });
  },
});
