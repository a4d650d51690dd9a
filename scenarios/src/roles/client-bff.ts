import type { Response as BrowserResponse } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { CallbackHold } from '../library/hold-callback.ts';
import { findExchange, findExchanges, fieldsOf, queryOf } from '../library/exchanges.ts';
import { rawTokensOf, sameSecret } from '../library/bff-store.ts';

/** Where a traced exchange can show a value to the browser or in the browser's address bar. */
function frontChannelText(events: readonly TraceEvent[]): string {
  return events
    .filter((event) => event.channel === 'front')
    .map((event) => [event.url, event.responseHeaders.location, event.requestBody, event.responseBody].join(' '))
    .join('\n');
}

/**
 * The Client, as a confidential client (RFC 6749 §2.1): the BFF authenticates to the token
 * endpoint with its secret, proves the login with the PKCE verifier, keeps every token on its
 * side and attaches the access token to API calls itself.
 */
export const clientBffRole = defineScenario({
  id: 'role-client-bff',
  title: 'The Client (BFF): a confidential client that keeps the tokens on the back channel',
  kind: 'role',
  teaches:
    'The BFF is the OAuth client: it sends only the PKCE challenge through the browser, redeems the code on the back channel with HTTP Basic client authentication and the code_verifier, gives the browser a cookie and a redirect instead of tokens, and adds the access token to API calls itself, bound to its own DPoP key with a fresh proof for each call (RFC 9449). Without the client secret the token endpoint answers 401 invalid_client.',
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    'The BFF is registered at the authorization server as client "bff", confidential, with token_endpoint_auth_method client_secret_basic.',
    'The attacker (last step) knows the client_id, which is public, but not the client secret.',
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const frontChannel: TraceEvent[] = [];

    let challenge = '';
    await step(
      {
        actor: 'Client: BFF',
        action: 'starts the login: it redirects the browser to the authorization endpoint',
        look: 'what goes through the browser: client_id and code_challenge, no secret, no verifier',
      },
      async (s) => {
        await page.goto(spa);
        await page.getByTestId('login-button').click();
        await page.waitForURL(`${issuer}/interaction/**`);
        const exchanges = await s.exchanges();
        frontChannel.push(...exchanges);
        const login = findExchange(exchanges, { to: 'bff', path: '/bff/login' });
        const authorize = queryOf(login?.responseHeaders.location);
        challenge = authorize.code_challenge ?? '';
        s.expect('the client identifies itself by its public client_id', 'bff', authorize.client_id);
        s.check('it sends the PKCE code_challenge (43 characters of base64url SHA-256)', '43 characters', challenge.length, /^[\w-]{43}$/.test(challenge));
        s.expect('computed with S256', 'S256', authorize.code_challenge_method);
        s.expect(
          'and neither the code_verifier nor the client secret',
          [],
          Object.keys(authorize).filter((name) => ['code_verifier', 'client_secret'].includes(name)),
        );
        s.sees({
          browser: 'the authorize URL: client_id, code_challenge, state, nonce (none of them secret)',
          bff: 'the code_verifier, kept in its session store for this login',
        });
      },
    );

    const hold = await CallbackHold.install(browser, page, `${spa}/bff/callback*`);
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in and allows; the browser brings back a code, held here before it reaches the BFF',
        look: 'the code in the callback URL',
      },
      async (s) => {
        await page.locator('#username').fill('alice');
        await page.locator('#password').fill('alice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        // Not awaited: the click's navigation stays pending while the callback is held.
        void page
          .getByRole('button', { name: 'Allow' })
          .click()
          .catch(() => undefined);
        const callback = queryOf(await hold.held());
        frontChannel.push(...(await s.exchanges()));
        s.check('the browser carries an authorization code', 'a code', callback.code ? `code (${callback.code.length} chars)` : 'none', Boolean(callback.code));
        s.note("The code alone buys nothing: the token endpoint also wants the client's secret and the code_verifier, which only the BFF has.");
        s.sees({ browser: 'a one-time code in the address bar', bff: 'code_verifier, state, nonce' });
      },
    );

    let tokenResponse: TraceEvent | undefined;
    let landing: TraceEvent[] = [];
    let callbackResponse: BrowserResponse | undefined;
    await step(
      {
        actor: 'Client: BFF',
        action: 'receives the callback and redeems the code at the token endpoint, server to server',
        look: 'the token request: HTTP Basic client authentication and the code_verifier',
      },
      async (s) => {
        const answered = page.waitForResponse((response) => response.url().startsWith(`${spa}/bff/callback`));
        await hold.release();
        callbackResponse = await answered;
        await page.getByTestId('user-name').waitFor();
        const exchanges = await s.exchanges();
        frontChannel.push(...exchanges);
        landing = exchanges;
        tokenResponse = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        const sent = fieldsOf(tokenResponse?.requestBody);
        s.expect(
          'the token request goes from the BFF to the authorization server directly',
          { from: 'bff', channel: 'back' },
          { from: tokenResponse?.from, channel: tokenResponse?.channel },
        );
        s.check(
          'it authenticates the client with HTTP Basic: base64(client_id:client_secret)',
          'Basic base64(bff:…)',
          tokenResponse?.requestHeaders.authorization,
          /^Basic base64\(bff:.+\)$/.test(tokenResponse?.requestHeaders.authorization ?? ''),
        );
        s.expect('so the secret is not in the body', undefined, sent.client_secret);
        s.expect('it redeems an authorization code', 'authorization_code', sent.grant_type);
        s.expect('for the redirect_uri it registered', `${spa}/bff/callback`, sent.redirect_uri);
        s.check(
          'with the code_verifier, the secret behind the challenge of step 1',
          'a code_verifier',
          sent.code_verifier,
          typeof sent.code_verifier === 'string',
        );
        const verifierPrefix = typeof sent.code_verifier === 'string' ? (sent.code_verifier.split('…')[0] ?? '') : '';
        const leaks = verifierPrefix.length >= 8 ? frontChannelText(frontChannel).split(verifierPrefix).length - 1 : -1;
        s.expect('the code_verifier appears on no front-channel request or response of this login', 0, leaks);
        s.expect('the authorization server answers with tokens', 200, tokenResponse?.status);
        s.expect(
          'an access token, a refresh token and an ID token',
          ['access_token', 'id_token', 'refresh_token'],
          Object.keys(fieldsOf(tokenResponse?.responseBody))
            .filter((name) => name.endsWith('_token'))
            .sort(),
        );
        s.note(
          `The authorization server hashes the code_verifier and compares it with the code_challenge ${challenge.slice(0, 10)}… it stored with the code (RFC 7636 §4.6).`,
        );
        s.sees({ browser: 'nothing of this exchange', bff: 'the access, refresh and ID tokens', authserver: 'the code, now spent' });
      },
    );

    await step(
      {
        actor: 'Client: BFF',
        action: "answers the browser's callback: a session cookie and a redirect, nothing more",
        look: 'the /bff/callback response as the browser received it',
      },
      async (s) => {
        const headers = (await callbackResponse?.headersArray()) ?? [];
        const setCookies = headers.filter((header) => header.name.toLowerCase() === 'set-cookie').map((header) => header.value.split('=')[0]);
        s.expect('a 302 redirect', 302, callbackResponse?.status());
        s.expect('to returnTo, a path of the app', '/', await callbackResponse?.headerValue('location'));
        s.expect('setting the new session cookie and its signature', ['bff_session', 'bff_session.sig'], setCookies.sort());
        // What to look for: this login's raw tokens, read from the BFF through the lab-only breach route.
        const tokens = await rawTokensOf(lab, tokenResponse);
        const raw = [tokens?.accessToken, tokens?.refreshToken, tokens?.idToken].filter((token): token is string => token !== undefined);
        s.expect("the lab finds this login's three tokens in the BFF's store", 3, raw.length);
        s.expect(
          'none of them is in any header the browser received',
          [],
          headers.filter((header) => raw.some((token) => header.value.includes(token))).map((header) => header.name),
        );
        const length = Number(await callbackResponse?.headerValue('content-length'));
        const shortest = Math.min(...raw.map((token) => token.length));
        s.check(
          'and the body is a short "Redirecting to /." stub, too short to hold any of them',
          `fewer than ${shortest} bytes`,
          length,
          Number.isInteger(length) && length < shortest,
        );
        const user = findExchanges(landing, { to: 'bff', path: '/bff/user', channel: 'front' }).at(-1);
        s.check(
          'GET /bff/user, which the app called on landing, answers claims without a token',
          '200, no JWT',
          { status: user?.status, body: user?.responseBody?.slice(0, 40) },
          user?.status === 200 && !/eyJ/.test(user.responseBody ?? ''),
        );
        s.note(
          'The tokens were read through GET /_lab/session-store: a lab-only look inside the BFF, standing in for its memory. A real BFF has no such route.',
        );
        s.sees({ browser: 'bff_session: an opaque id; no token', bff: 'the tokens, under that session id' });
      },
    );

    await step(
      {
        actor: 'Client: BFF',
        action: "forwards the app's /api/notes call to the API with the access token",
        look: 'the Authorization header appears only on the BFF → API call',
      },
      async (s) => {
        const status = await page.evaluate(async () => (await fetch('/api/notes', { headers: { 'X-CSRF': '1' } })).status);
        const exchanges = await s.exchanges();
        const proxied = findExchange(exchanges, { to: 'bff', path: '/api/notes' });
        const forwarded = findExchange(exchanges, { to: 'resource-api', path: '/notes' });
        const tokens = await rawTokensOf(lab, tokenResponse);
        s.expect("the browser's call is answered", 200, status);
        s.expect('the browser sent no Authorization header', undefined, proxied?.requestHeaders.authorization);
        s.check(
          'the BFF sends Authorization: DPoP with the access token it keeps',
          'DPoP <the stored access token>',
          forwarded?.requestHeaders.authorization,
          sameSecret(tokens?.accessToken, forwarded?.requestHeaders.authorization?.replace(/^DPoP /, '')),
        );
        s.check(
          'and a fresh DPoP proof, signed with its own key',
          'a DPoP header',
          forwarded?.requestHeaders.dpop ? 'a DPoP header' : 'none',
          Boolean(forwarded?.requestHeaders.dpop),
        );
        s.note(
          'RFC 9449 §7.1: the token travels in the Authorization header, here on the server-to-server hop only, with a proof of the key it is bound to: a copy of the token alone opens nothing (attack-stolen-access-token).',
        );
        s.sees({ browser: "alice's notes", bff: 'the access token, sent to the API', api: 'the access token, for this one request' });
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: 'calls the token endpoint as client bff, without the client secret',
        look: 'the authorization server refuses before it even looks at the code',
      },
      async (s) => {
        const response = await fetchAs('attacker', `${issuer}/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'a-code-the-attacker-found',
            client_id: 'bff',
            redirect_uri: `${spa}/bff/callback`,
            code_verifier: 'a'.repeat(43),
          }),
        });
        const body = (await response.json()) as { error?: string };
        s.expect('401 Unauthorized', 401, response.status);
        s.expect('error invalid_client (RFC 6749 §5.2)', 'invalid_client', body.error);
        s.note(
          "oidc-provider authenticates the client first: with a real stolen code the answer would be the same. A confidential client's code is useless without its secret.",
        );
        s.sees({ attacker: 'client_id=bff (public) and nothing that works', authserver: 'a token request with no client authentication, refused' });
      },
    );
  },
});
