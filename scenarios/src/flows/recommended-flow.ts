import { defineScenario } from '../engine/scenario.ts';
import { CallbackHold } from '../library/hold-callback.ts';
import { signOutThroughSpa } from '../library/sign-in.ts';
import { findExchange, fieldsOf, JWT_SHAPE, queryOf } from '../library/exchanges.ts';
import { readableByScripts, sessionCookie } from '../library/browser-view.ts';
import { bffAccessTokenExpiry, laterBy, moveLabTimePast } from '../library/time-travel.ts';
import { readLifetimes } from '../library/lifetimes.ts';

/**
 * The BFF pattern from the first click to sign-out: every redirect, every back-channel call,
 * and at each step what the browser, the BFF and the authorization server hold.
 */
export const recommendedFlow = defineScenario({
  id: 'flow-recommended',
  title: 'The recommended BFF flow, step by step',
  kind: 'flow',
  teaches:
    'How the Authorization Code flow with PKCE runs through a BFF: the browser carries redirects and one opaque cookie; the code is redeemed, and every token kept, on the back channel.',
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    "Access tokens live as long as the lab issues them (5 min, the lab's default). Step 9 shows a silent refresh without waiting: the lab's clock (every service's, and the browser's) moves past the access token's expiry.",
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;

    await step({ actor: 'Resource Owner', action: `opens the app at ${spa}`, look: 'the 401 from /bff/user: nobody is signed in' }, async (s) => {
      await page.goto(spa);
      await page.getByTestId('login-button').waitFor();
      await s.screenshot(page, 'The app, signed out: a "Sign in" button and nothing in the browser\'s storage');
      const user = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/user' });
      s.expect('the SPA asks the BFF who is signed in and hears 401', 401, user?.status);
      s.sees({ browser: "the SPA's code; no cookie yet", bff: 'nothing about this browser' });
    });

    let state = '';
    let cookieBeforeLogin = '';
    await step(
      {
        actor: 'Client: SPA',
        action: 'sends the browser to /bff/login; the BFF redirects it to the authorization endpoint',
        look: 'the parameters of the redirect',
      },
      async (s) => {
        await page.getByTestId('login-button').click();
        await page.waitForURL(`${issuer}/interaction/**`);
        const login = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/login' });
        const authorize = queryOf(login?.responseHeaders.location);
        state = authorize.state ?? '';
        s.expect('the BFF answers with a redirect', 302, login?.status);
        s.expect('to the authorization endpoint', `${issuer}/auth`, login?.responseHeaders.location?.split('?')[0]);
        s.expect('asking for an authorization code', 'code', authorize.response_type);
        s.expect('with PKCE (S256)', 'S256', authorize.code_challenge_method);
        s.check(
          'with a state and a nonce',
          'both present',
          { state: Boolean(authorize.state), nonce: Boolean(authorize.nonce) },
          Boolean(authorize.state && authorize.nonce),
        );
        s.expect('for the notes API as resource', topology['resource-api'].url, authorize.resource);
        s.expect('and never the code_verifier itself', undefined, authorize.code_verifier);
        cookieBeforeLogin = (await sessionCookie(browser, spa))?.value ?? '';
        s.check(
          'the BFF starts a (still anonymous) session to remember this login',
          'a bff_session cookie',
          cookieBeforeLogin ? 'bff_session set' : 'none',
          cookieBeforeLogin !== '',
        );
        s.note("The code_verifier, state and nonce stay in the BFF's session store; only the challenge (a hash) travels.");
        s.sees({
          browser: 'the authorize URL (state, nonce, code_challenge: none of them secret) and an anonymous session cookie',
          bff: 'code_verifier, state, nonce and returnTo for this login attempt',
        });
      },
    );

    const hold = await CallbackHold.install(browser, page, `${spa}/bff/callback*`);
    await step(
      { actor: 'Resource Owner', action: 'signs in at the authorization server', look: `the password goes to ${new URL(issuer).host}, never to the app` },
      async (s) => {
        s.expect('the login page is served by the authorization server', issuer, new URL(page.url()).origin);
        await page.locator('#username').fill('alice');
        await page.locator('#password').fill('alice');
        await s.screenshot(page, `The authorization server's own login page, at ${issuer}: the app never sees the password`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await Promise.race([page.getByRole('button', { name: 'Allow' }).waitFor(), hold.held()]);
        const form = findExchange(await s.exchanges(), { to: 'authserver', method: 'POST', path: /\/interaction\/.+\/login$/ });
        s.expect('the form posts to the authorization server', 'authserver', form?.to);
        s.sees({ browser: 'a session cookie of the authorization server (for 127.0.0.1)', authserver: 'that alice has signed in', bff: 'still no token' });
      },
    );

    let callbackUrl = '';
    await step(
      {
        actor: 'Resource Owner',
        action: 'allows the BFF to read and write notes; the authorization server redirects back with a code',
        look: 'code, state and iss in the callback URL',
      },
      async (s) => {
        const consent = page.getByRole('button', { name: 'Allow' });
        if (await consent.isVisible()) await s.screenshot(page, 'The consent page: which client asks, for which scopes, on which API');
        // Not awaited: the click's navigation stays pending while the callback is held.
        if (await consent.isVisible()) void consent.click().catch(() => undefined);
        callbackUrl = await hold.held();
        const callback = queryOf(callbackUrl);
        s.check(
          'the browser now carries an authorization code',
          'a code',
          callback.code ? `code (${callback.code.length} chars)` : 'none',
          Boolean(callback.code),
        );
        s.expect('with the state the BFF sent', state, callback.state);
        s.expect('and iss naming our authorization server (RFC 9207)', issuer, callback.iss);
        s.note(
          'The browser is held right here, before it delivers the code to the BFF. The code is in the URL: one use, one minute, and useless without the client secret and the code_verifier.',
        );
        s.sees({
          browser: 'the authorization code, in the address bar',
          bff: 'code_verifier, state, nonce',
          authserver: 'the code, bound to the code_challenge and the redirect_uri',
        });
      },
    );

    await step(
      {
        actor: 'Client: BFF',
        action: 'checks state and iss, then redeems the code at the token endpoint on the back channel',
        look: 'the token request: client authentication and code_verifier',
      },
      async (s) => {
        await hold.release();
        await page.getByTestId('user-name').waitFor();
        const exchanges = await s.exchanges();
        const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        const request = fieldsOf(token?.requestBody);
        const response = fieldsOf(token?.responseBody);
        s.expect('the BFF calls the token endpoint server to server', 'back', token?.channel);
        s.check(
          'authenticating as a confidential client (HTTP Basic)',
          'Basic …',
          token?.requestHeaders.authorization,
          token?.requestHeaders.authorization?.startsWith('Basic') ?? false,
        );
        s.expect('sending grant_type=authorization_code', 'authorization_code', request.grant_type);
        s.check('with the PKCE code_verifier', 'a code_verifier', request.code_verifier, typeof request.code_verifier === 'string');
        s.expect('the authorization server issues tokens', 200, token?.status);
        s.check(
          'an access token, a refresh token and an ID token',
          'all three',
          Object.keys(response),
          ['access_token', 'refresh_token', 'id_token'].every((name) => name in response),
        );
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        s.expect('the callback ends with a redirect to returnTo', 302, callback?.status);
        const cookieAfter = (await sessionCookie(browser, spa))?.value ?? '';
        s.check(
          'the session id is replaced on login (no fixation)',
          'a new bff_session value',
          cookieAfter === cookieBeforeLogin ? 'unchanged' : 'changed',
          cookieAfter !== '' && cookieAfter !== cookieBeforeLogin,
        );
        s.sees({
          browser: 'bff_session: a new opaque id (HttpOnly)',
          bff: 'access token, refresh token, ID token, in its session store',
          authserver: 'the grant; the code is spent',
        });
      },
    );

    await step({ actor: 'Client: SPA', action: 'asks the BFF who is signed in', look: 'claims, but no token, in the answer' }, async (s) => {
      const user = await page.evaluate(async () => {
        const response = await fetch('/bff/user', { headers: { 'X-CSRF': '1' } });
        return { status: response.status, text: await response.text() };
      });
      const body = JSON.parse(user.text) as { claims?: { preferred_username?: string } };
      s.expect('GET /bff/user answers 200', 200, user.status);
      s.expect('naming alice', 'alice', body.claims?.preferred_username);
      s.check('and carrying no token', 'no JWT in the body', JWT_SHAPE.test(user.text) ? 'a JWT' : 'none', !JWT_SHAPE.test(user.text));
      s.sees({ spa: "alice's name and the session's expiry, no token" });
    });

    await step(
      {
        actor: 'Client: SPA',
        action: 'loads the notes through /api/notes; the BFF forwards with the access token',
        look: 'the Authorization header on the BFF → API call',
      },
      async (s) => {
        await page.reload();
        await page.getByTestId('note').first().waitFor();
        await s.screenshot(page, "Signed in: alice's notes, fetched through the BFF; the browser holds no token");
        const exchanges = await s.exchanges();
        const proxied = findExchange(exchanges, { to: 'bff', path: '/api/notes' });
        const api = findExchange(exchanges, { to: 'resource-api', path: '/notes' });
        s.expect('the browser calls its own origin with the session cookie', 200, proxied?.status);
        s.check(
          "the browser's request carries no Authorization header",
          'none',
          proxied?.requestHeaders.authorization,
          proxied?.requestHeaders.authorization === undefined,
        );
        s.check(
          'the BFF adds the bearer token on the back channel',
          'DPoP eyJ…',
          api?.requestHeaders.authorization,
          api?.requestHeaders.authorization?.startsWith('DPoP eyJ') ?? false,
        );
        const notes = fieldsOf(api?.responseBody) as { owner?: string };
        s.expect("the API validated it and serves alice's notes", 'alice', notes.owner);
        s.note("The API checked the signature against the authorization server's JWKS, iss, aud (this API), exp, typ at+jwt and the scope notes:read.");
        s.sees({ browser: "alice's notes (data, not tokens)", api: 'the access token for the time of one request' });
      },
    );

    await step({ actor: 'User Agent', action: 'shows what it holds', look: 'document.cookie and web storage are empty' }, async (s) => {
      const visible = await readableByScripts(page);
      s.expect('page scripts read no cookie', '', visible.cookie);
      s.expect('nothing in localStorage', {}, visible.localStorage);
      s.expect('nothing in sessionStorage', {}, visible.sessionStorage);
      const cookie = await sessionCookie(browser, spa);
      s.expect(
        'the session cookie is HttpOnly and SameSite=Lax',
        { httpOnly: true, sameSite: 'Lax' },
        { httpOnly: cookie?.httpOnly, sameSite: cookie?.sameSite },
      );
      s.check('and is no token', 'not a JWT', cookie?.value.slice(0, 12), cookie !== undefined && !JWT_SHAPE.test(cookie.value));
      s.sees({ browser: 'only bff_session (and its signature cookie), both HttpOnly' });
    });

    await step(
      {
        actor: 'Client: BFF',
        action: `finds, ${laterBy(lifetime)} (an eternity for an access token), that the access token has expired, and refreshes it before forwarding`,
        look: 'the refresh_token grant on the back channel, and the new refresh token',
      },
      async (s) => {
        // The lab's clock moves just past the expiry the BFF reports for this session's access token.
        const expiresAt = await bffAccessTokenExpiry(page);
        if (expiresAt !== undefined) await moveLabTimePast(s, lab, expiresAt);
        await page.reload();
        await page.getByTestId('note').first().waitFor();
        const refresh = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        const sent = fieldsOf(refresh?.requestBody);
        const received = fieldsOf(refresh?.responseBody);
        s.expect('the BFF uses grant_type=refresh_token', 'refresh_token', sent.grant_type);
        s.expect('and gets new tokens', 200, refresh?.status);
        s.check(
          'with a new refresh token: the old one is rotated out',
          'a different refresh token',
          { sent: sent.refresh_token, received: received.refresh_token },
          typeof received.refresh_token === 'string' && received.refresh_token !== sent.refresh_token,
        );
        s.note(
          'The browser noticed nothing: the same cookie, the same page. Rotation means a stolen old refresh token is worthless (see the refresh-token scenarios).',
        );
        s.sees({ browser: 'still only bff_session', bff: 'a new access token and a new refresh token' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'signs out: the BFF ends its session, then the authorization server ends its own',
        look: 'POST /bff/logout, then /session/end at the authorization server',
      },
      async (s) => {
        await signOutThroughSpa(page, topology);
        const exchanges = await s.exchanges();
        const logout = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/bff/logout' });
        const revocation = findExchange(exchanges, { to: 'authserver', path: '/token/revocation', channel: 'back' });
        s.expect('the BFF ends its session', 200, logout?.status);
        s.expect('and revokes the refresh token (RFC 7009)', 200, revocation?.status);
        const after = await page.evaluate(async () => (await fetch('/api/notes', { headers: { 'X-CSRF': '1' } })).status);
        s.expect('afterwards /api/notes answers 401', 401, after);
        s.sees({ browser: 'no session (the cookie points at nothing)', bff: 'nothing about alice', authserver: 'no session for this browser' });
      },
    );
  },
});
