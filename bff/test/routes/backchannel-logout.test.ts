import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { SignJWT, generateKeyPair, importJWK, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../../../authserver/test/support/sign-in-over-http.ts';
import { generateSigningJwk } from '../../../authserver/src/signing-key.ts';
import { startTestBff } from '../support/start-test-bff.ts';
import { signInAtAuthServer, startAuthServerAsIssuer, type IssuerAuthServer } from '../support/sign-in-at-authserver.ts';

// Prerequisites: the lab's real authorization server (its signing key made here, so the test can
// also sign logout tokens that break one rule each) and the real BFF on the port the authorization
// server registered as the bff client's backchannel_logout_uri. A "browser" is a cookie jar.

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let authserver: IssuerAuthServer;
let bff: Awaited<ReturnType<typeof startTestBff>>;
let signingJwk: Record<string, unknown>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const bffPort = await freePort();
  signingJwk = await generateSigningJwk();
  authserver = await startAuthServerAsIssuer({ API_PORT: '4001', BFF_PORT: String(bffPort) }, { signingJwk });
  bff = await startTestBff([], authserver.env, bffPort);
});
afterAll(async () => {
  await bff?.close();
  await authserver?.stop();
});

/** A browser signed in to the BFF as alice; returns its jar and the authorization server's `sid` of that sign-in. */
async function signedInBrowser(): Promise<{ jar: CookieJar; sid: string; whoAmI: () => Promise<number> }> {
  const jar = new CookieJar(bff.url);
  const get = async (path: string, headers: Record<string, string> = {}) =>
    jar.keep(await fetch(`${bff.url}${path}`, { redirect: 'manual', headers: { ...headers, cookie: jar.header() } }));
  const login = await get('/bff/login?returnTo=/');
  const callback = await signInAtAuthServer(login.headers.get('location')!, 'alice');
  const signedIn = await get(`${callback.pathname}${callback.search}`);
  expect(signedIn.status).toBe(302);
  const held = (await bff.tokenStore.list()).map(({ tokens }) => tokens.sid);
  const sid = held.at(-1);
  if (!sid) throw new Error('the BFF kept no sid for the sign-in');
  return { jar, sid, whoAmI: async () => (await get('/bff/user', { 'X-CSRF': '1' })).status };
}

/** A logout token as oidc-provider issues one (Back-Channel Logout 1.0 §2.4); tests break one rule each. */
async function logoutToken(sid: string, overrides: { claims?: JWTPayload; header?: Record<string, unknown>; key?: CryptoKey } = {}): Promise<string> {
  const key = overrides.key ?? ((await importJWK(signingJwk, 'RS256')) as CryptoKey);
  return new SignJWT({
    iss: authserver.url,
    aud: 'bff',
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    sid,
    sub: 'alice',
    events: { [EVENT]: {} },
    ...overrides.claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: String(signingJwk.kid), ...overrides.header })
    .sign(key);
}

function postLogout(body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> {
  return fetch(`${bff.url}/bff/backchannel-logout`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('POST /bff/backchannel-logout (OpenID Connect Back-Channel Logout 1.0)', () => {
  it("ends alice's BFF session when the authorization server ends its own: her next /bff/user is 401, her tokens are gone", async () => {
    const alice = await signedInBrowser();
    expect(await alice.whoAmI()).toBe(200);
    const response = await postLogout(new URLSearchParams({ logout_token: await logoutToken(alice.sid) }).toString());
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ sessionsEnded: 1 });
    expect(await alice.whoAmI()).toBe(401);
    expect((await bff.tokenStore.list()).filter(({ tokens }) => tokens.sid === alice.sid)).toEqual([]);
  });

  it('refuses the same logout token a second time (jti replay, §2.6 step 10)', async () => {
    const alice = await signedInBrowser();
    const token = await logoutToken(alice.sid);
    expect((await postLogout(`logout_token=${token}`)).status).toBe(200);
    const replay = await postLogout(`logout_token=${token}`);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({
      error: 'invalid_request',
      error_description: 'this logout token was already used (jti seen before)',
      message: 'The logout token was refused: this logout token was already used (jti seen before).',
    });
  });

  describe('a bad logout token: 400 invalid_request, and nothing ends (§2.8)', () => {
    let alice: Awaited<ReturnType<typeof signedInBrowser>>;
    beforeAll(async () => {
      alice = await signedInBrowser();
    });

    it.each([
      ['from another issuer', { claims: { iss: 'http://[::1]:6660' } }, "the logout token's iss is not ours (expected iss, aud and a past iat)"],
      ['for another client', { claims: { aud: 'mallory-app' } }, "the logout token's aud is not ours (expected iss, aud and a past iat)"],
      ['without events', { claims: { events: undefined } }, 'the logout token has no events claim'],
      [
        'with another event',
        { claims: { events: { 'http://schemas.openid.net/event/other': {} } } },
        `events must hold the member ${EVENT} with a JSON object`,
      ],
      ['with a nonce (an ID token)', { claims: { nonce: 'n' } }, 'a logout token must not carry a nonce (it would be an ID token)'],
      ['without sid', { claims: { sid: undefined } }, 'the logout token has no sid: this client registered backchannel_logout_session_required'],
      ['without jti', { claims: { jti: undefined } }, 'the logout token has no jti claim'],
      [
        'issued 10 minutes ago',
        { claims: { iat: Math.floor(Date.now() / 1000) - 600 } },
        'the logout token is too old (iat more than 120 s ago, or exp passed)',
      ],
      ['typed as a plain JWT (an ID token)', { header: { typ: 'JWT' } }, 'typ must be logout+jwt'],
    ])('%s', async (_case, overrides, description) => {
      const response = await postLogout(`logout_token=${await logoutToken(alice.sid, overrides)}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: description,
        message: `The logout token was refused: ${description}.`,
      });
      expect(await alice.whoAmI()).toBe(200);
    });

    it("signed by another key (Mallory's)", async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const response = await postLogout(`logout_token=${await logoutToken(alice.sid, { key: privateKey })}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error_description: string }).error_description).toBe(
        "the logout token is not signed by the authorization server's key",
      );
      expect(await alice.whoAmI()).toBe(200);
    });

    it.each([
      ['no logout_token', 'token=x', 400, 'invalid_request'],
      ['an empty logout_token', 'logout_token=', 400, 'invalid_request'],
      ['two logout_tokens', 'logout_token=a&logout_token=b', 400, 'invalid_request'],
      ['not a JWT', 'logout_token=not-a-jwt', 400, 'invalid_request'],
      ['alg none', `logout_token=${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`, 400, 'invalid_request'],
    ])('a malformed request: %s', async (_case, body, status, error) => {
      const response = await postLogout(body);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toBe(error);
      expect(await alice.whoAmI()).toBe(200);
    });

    it.each([
      ['JSON', 'application/json', '{"logout_token":"x"}'],
      ['text', 'text/plain', 'logout_token=x'],
      ['multipart', 'multipart/form-data; boundary=x', '--x--'],
    ])('refuses a %s body with 415 before reading it', async (_case, type, body) => {
      const response = await postLogout(body, type);
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        error: 'unsupported_media_type',
        message: 'Send the logout token as application/x-www-form-urlencoded: logout_token=<JWT>.',
      });
    });

    it('refuses a body over 16 KB with 413', async () => {
      const response = await postLogout(`logout_token=${'a'.repeat(40_000)}`);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: string }).error).toBe('payload_too_large');
      expect(await alice.whoAmI()).toBe(200);
    });

    it('answers any form body with a 4xx JSON error, never a 5xx (fast-check)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 200 }), { maxKeys: 4 }), async (fields) => {
          const response = await postLogout(new URLSearchParams(fields).toString());
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(typeof ((await response.json()) as { error?: unknown }).error).toBe('string');
        }),
        { numRuns: 100, seed: 11 },
      );
      expect(await alice.whoAmI()).toBe(200);
    });
  });

  it('takes one logout token once when it arrives 20 times at the same moment', async () => {
    const alice = await signedInBrowser();
    const body = `logout_token=${await logoutToken(alice.sid)}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => postLogout(body)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array<number>(19).fill(400)]);
    expect(await alice.whoAmI()).toBe(401);
  });
});
