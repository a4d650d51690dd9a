import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { CallbackHold } from '../library/hold-callback.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { readLifetimes } from '../library/lifetimes.ts';

/** Members of a JWK that only a private key has (RFC 7518 §6.3.2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The Authorization Server (RFC 6749 §1.1): it publishes what it supports and the keys to check
 * its signatures, signs the Resource Owner in, records her consent, issues a one-time code and
 * then signed tokens: an access token for the API, an ID token for the client.
 */
export const authorizationServerRole = defineScenario({
  id: 'role-authorization-server',
  title: 'The Authorization Server: discovery, keys, login, consent, code, and the tokens it signs',
  kind: 'role',
  teaches:
    "What the authorization server publishes (discovery metadata, public keys only), the steps of an authorization request (login, consent, a code with iss), and what it signs: an RFC 9068 access token (typ at+jwt) for the API's audience, and an ID token for the client.",
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    "Access tokens live as long as the lab issues them (5 min, the lab's default): the run reads the lifetime from the authorization server's lab settings, and expects exactly that in expires_in and in exp - iat.",
    'To decode the tokens, the lab reads them from the BFF through GET /_lab/session-store: a lab-only look inside the BFF, standing in for its memory.',
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const api = topology['resource-api'].url;

    await step(
      {
        actor: 'Authorization Server',
        action: 'publishes its metadata at /.well-known/openid-configuration',
        look: 'issuer, PKCE method, response types, and the iss parameter',
      },
      async (s) => {
        const response = await fetchAs('bff', `${issuer}/.well-known/openid-configuration`);
        const metadata = (await response.json()) as Record<string, unknown>;
        s.expect('the discovery document is served', 200, response.status);
        s.expect('issuer: the exact URL every token will carry in iss', issuer, metadata.issuer);
        s.expect('only the S256 PKCE method (no "plain")', ['S256'], metadata.code_challenge_methods_supported);
        s.expect('only the Authorization Code flow (no implicit token in a URL)', ['code'], metadata.response_types_supported);
        s.expect('it adds iss to every authorization response (RFC 9207)', true, metadata.authorization_response_iss_parameter_supported);
        s.expect('grant types: authorization_code and refresh_token', ['authorization_code', 'refresh_token'], metadata.grant_types_supported);
        s.note('Clients (the BFF, once at start) read the endpoints from here: authorization_endpoint, token_endpoint, jwks_uri, end_session_endpoint.');
        s.sees({ bff: 'where to send the browser and where to redeem codes', api: 'the issuer to expect and where the keys are' });
      },
    );

    let kid: unknown;
    await step(
      { actor: 'Authorization Server', action: 'publishes its signing keys at jwks_uri', look: 'public keys only: no private member such as d' },
      async (s) => {
        const response = await fetchAs('resource-api', `${issuer}/jwks`);
        const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
        const key = jwks.keys[0];
        kid = key?.kid;
        s.expect('one key', 1, jwks.keys.length);
        s.expect('an RSA key for signatures with RS256', { kty: 'RSA', use: 'sig', alg: 'RS256' }, { kty: key?.kty, use: key?.use, alg: key?.alg });
        s.check('with a key id (kid) that tokens will name', 'a kid', kid, typeof kid === 'string' && kid !== '');
        s.expect(
          'and no private member (d, p, q, dp, dq, qi)',
          [],
          jwks.keys.flatMap((entry) => Object.keys(entry).filter((name) => PRIVATE_MEMBERS.includes(name))),
        );
        s.note('Anyone may fetch these: a public key verifies signatures and can make none. The private key never leaves the authorization server.');
        s.sees({ api: 'the public key, to check access tokens on its own', authserver: 'the private key, to sign' });
      },
    );

    const browser = await newUserAgent();
    const page = await browser.newPage();
    let nonce = '';
    let state = '';
    await step(
      {
        actor: 'Authorization Server',
        action: 'receives the authorization request and asks who the user is',
        look: 'the 303 from /auth to its own login page',
      },
      async (s) => {
        await page.goto(spa);
        await page.getByTestId('login-button').click();
        await page.waitForURL(`${issuer}/interaction/**`);
        const exchanges = await s.exchanges();
        const authorize = findExchange(exchanges, { to: 'authserver', path: '/auth' });
        const request = queryOf(authorize?.url);
        nonce = request.nonce ?? '';
        state = request.state ?? '';
        s.expect(
          'the request names the registered client and its exact redirect_uri',
          { client_id: 'bff', redirect_uri: `${spa}/bff/callback` },
          { client_id: request.client_id, redirect_uri: request.redirect_uri },
        );
        s.expect('the authorization server answers with a redirect', 303, authorize?.status);
        s.check(
          'at its own login page',
          '/interaction/<uid>',
          authorize?.responseHeaders.location,
          /^\/interaction\/[\w-]+$/.test(authorize?.responseHeaders.location ?? ''),
        );
        s.expect('which asks for a password', 1, await page.locator('#password').count());
        s.note('Before asking anything, it checked the client_id, that redirect_uri is registered for it, the scopes, the resource and the PKCE challenge.');
        s.sees({
          browser: 'the login page and an _interaction cookie',
          authserver: 'the pending request: client, scopes, resource, code_challenge, state, nonce',
        });
      },
    );

    await step(
      {
        actor: 'Authorization Server',
        action: "checks alice's password, starts its own session, and asks for consent",
        look: 'the _session cookie it sets, then the consent prompt',
      },
      async (s) => {
        await page.locator('#username').fill('alice');
        await page.locator('#password').fill('alice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Allow' }).waitFor();
        const exchanges = await s.exchanges();
        const login = findExchange(exchanges, { to: 'authserver', method: 'POST', path: /^\/interaction\/[\w-]+\/login$/ });
        const resume = findExchange(exchanges, { to: 'authserver', method: 'GET', path: /^\/auth\/[\w-]+$/ });
        s.expect('the login form is accepted', 303, login?.status);
        const sessionCookie = resume?.cookies?.set.find((cookie) => cookie.name === '_session');
        s.check(
          'the authorization server starts its session (a _session cookie)',
          '_session, with Path=/ and HttpOnly',
          sessionCookie && `${sessionCookie.name}, with ${sessionCookie.attributes.filter((attribute) => /^(Path|HttpOnly)/.test(attribute)).join(' and ')}`,
          ['HttpOnly', 'Path=/'].every((attribute) => sessionCookie?.attributes.includes(attribute)),
        );
        s.check(
          'and, with no grant yet for client bff, asks for consent',
          '/interaction/<uid>',
          resume?.responseHeaders.location,
          /^\/interaction\/[\w-]+$/.test(resume?.responseHeaders.location ?? ''),
        );
        s.sees({
          browser: "the consent page; the authorization server's _session cookie (127.0.0.1)",
          authserver: 'alice is signed in (single sign-on session)',
        });
      },
    );

    const hold = await CallbackHold.install(browser, page, `${spa}/bff/callback*`);
    await step(
      {
        actor: 'Authorization Server',
        action: "records alice's consent as a grant and redirects back with a code",
        look: 'the redirect to the registered redirect_uri: code, state, iss',
      },
      async (s) => {
        void page
          .getByRole('button', { name: 'Allow' })
          .click()
          .catch(() => undefined);
        await hold.held();
        const exchanges = await s.exchanges();
        const resume = findExchange(exchanges, { to: 'authserver', method: 'GET', path: /^\/auth\/[\w-]+$/ });
        const location = resume?.responseHeaders.location ?? '';
        const answer = queryOf(location);
        s.expect('the answer goes to the registered redirect_uri, nowhere else', `${spa}/bff/callback`, location.split('?')[0]);
        s.check('with a one-time authorization code', 'a code', answer.code, typeof answer.code === 'string' && answer.code !== '');
        s.expect("the client's state from the request, returned unchanged", state, answer.state);
        s.expect('and iss, so the client can tell which server answered (RFC 9207)', issuer, answer.iss);
        s.note('The code is bound to client bff, this redirect_uri, the code_challenge and the grant; it expires in 60 s and works once.');
        s.sees({ browser: 'the code, in the URL it is about to open', authserver: 'the grant (alice → bff: scopes, resource) and the code' });
      },
    );

    let tokenResponse: TraceEvent | undefined;
    await step(
      { actor: 'Authorization Server', action: "answers the BFF's token request", look: 'the token response: three tokens, their type and lifetime' },
      async (s) => {
        await hold.release();
        await page.getByTestId('user-name').waitFor();
        tokenResponse = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        const body = fieldsOf(tokenResponse?.responseBody);
        s.expect('it issues tokens to the authenticated client', 200, tokenResponse?.status);
        s.expect(
          'the fields of the token response',
          ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type'],
          Object.keys(body).sort(),
        );
        s.expect('a DPoP-bound token (RFC 9449 §5): the BFF proved possession of its key', 'DPoP', body.token_type);
        s.expect('valid for the configured lifetime', lifetime, body.expires_in);
        s.expect("for the notes API's scopes", 'notes:read notes:write', body.scope);
        s.sees({ bff: 'access, refresh and ID tokens', authserver: "the refresh token, tied to alice's grant", browser: 'nothing of it' });
      },
    );

    await step(
      {
        actor: 'Authorization Server',
        action: 'signed an access token for the notes API: here it is, decoded',
        look: 'header typ at+jwt; claims iss, aud, sub, scope, exp - iat',
      },
      async (s) => {
        const tokens = await rawTokensOf(lab, tokenResponse);
        s.check('the lab finds the access token in the BFF (lab-only breach route)', 'a JWT', tokens?.accessToken.slice(0, 10), tokens !== undefined);
        if (!tokens) return;
        const header = decodeProtectedHeader(tokens.accessToken);
        const claims = decodeJwt(tokens.accessToken);
        s.expect('header: typ at+jwt, an access token (RFC 9068 §2.1)', 'at+jwt', header.typ);
        s.expect('header: RS256, signed with the key published in the JWKS', { alg: 'RS256', kid }, { alg: header.alg, kid: header.kid });
        s.expect('iss: this authorization server', issuer, claims.iss);
        s.expect('aud: the notes API, the resource asked for (RFC 8707)', api, claims.aud);
        s.expect('sub: alice', 'alice', claims.sub);
        s.expect('client_id: the client it was issued to', 'bff', claims.client_id);
        s.expect('scope: what alice allowed on this API', 'notes:read notes:write', claims.scope);
        s.expect('exp - iat: the access token lifetime', lifetime, (claims.exp ?? 0) - (claims.iat ?? 0));
        s.note('Anyone holding this token can read these claims: a JWT is signed, not encrypted. The API trusts them only after checking the signature.');
        s.sees({ bff: 'this token, to put in Authorization headers', api: 'the same claims, once it checks the signature' });
      },
    );

    await step(
      {
        actor: 'Authorization Server',
        action: 'signed an ID token for the client: decoded, it is a different thing',
        look: 'aud is the client, not the API; nonce ties it to this login',
      },
      async (s) => {
        const tokens = await rawTokensOf(lab, tokenResponse);
        if (!tokens?.idToken) {
          s.check('the lab finds the ID token in the BFF', 'an ID token', 'none', false);
          return;
        }
        const header = decodeProtectedHeader(tokens.idToken);
        const claims = decodeJwt(tokens.idToken);
        s.expect(
          'header: same key, but no typ at+jwt, so the API refuses it as an access token',
          { alg: 'RS256', kid, typ: undefined },
          { alg: header.alg, kid: header.kid, typ: header.typ },
        );
        s.expect('aud: the client bff (OpenID Connect Core §2)', 'bff', claims.aud);
        s.expect('iss and sub: the same server, the same user', { iss: issuer, sub: 'alice' }, { iss: claims.iss, sub: claims.sub });
        s.expect('nonce: the one the BFF put in the authorization request', nonce, claims.nonce);
        s.note('The ID token tells the BFF who signed in; the access token tells the API what the BFF may do. Neither leaves the BFF.');
        s.sees({ bff: "alice's identity (sub, name) from the ID token", api: 'never this token' });
      },
    );
  },
});
