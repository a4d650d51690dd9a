import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { MemoryStorage } from '../../src/storage/memory-storage.ts';
import { startAuthServer, type RunningAuthServer } from '../support/start-authserver.ts';
import { REDIRECT_URI, authorizationRequest, postToken, signIn, startAnonymousSignIns, type CookieJar } from '../support/sign-in-over-http.ts';

const PKCE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** A pushed authorization request (RFC 9126 §2.1) by Mallory's public client: no secret needed. */
function pushAuthorizationRequest(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      client_id: 'mallory-app',
      redirect_uri: 'http://[::1]:6660/callback',
      response_type: 'code',
      scope: 'openid',
      code_challenge: PKCE_CHALLENGE,
      code_challenge_method: 'S256',
    }),
  });
}

describe('what an anonymous caller makes the real authorization server keep', () => {
  // Prerequisites: the lab's authorization server with its storage in view, and no cap in reach.
  // The confidential client as the lab's app.ts names it: its DPoP proofs come with client authentication.
  const storage = new MemoryStorage({ maxAnonymousEntries: 1_000, confidentialClients: ['bff'] });
  let server: RunningAuthServer;
  beforeAll(async () => {
    server = await startAuthServer(storage);
  });
  afterAll(async () => {
    await server.stop();
    storage.close();
  });

  it('GET /auth: one Interaction, and no Session', async () => {
    const response = await fetch(`${server.url}/auth?${authorizationRequest().query}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(storage.stats()).toEqual({ entries: 1, grantsWithTokens: 0, anonymous: { Interaction: 1 } });
  });

  it('GET /session/end: a Session without a user (its sign-out form secret)', async () => {
    const response = await fetch(`${server.url}/session/end`);
    expect(response.status).toBe(200);
    expect(storage.stats().anonymous).toEqual({ Interaction: 1, Session: 1 });
  });

  it('POST /request as a public client: a PushedAuthorizationRequest', async () => {
    const response = await pushAuthorizationRequest(server.url);
    expect(response.status).toBe(201);
    expect(storage.stats().anonymous).toEqual({ Interaction: 1, Session: 1, PushedAuthorizationRequest: 1 });
  });

  it('POST /request with a DPoP proof (RFC 9449 §4.2): a ReplayDetection record of its jti too', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'POST', htu: `${server.url}/request`, jti: randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    const response = await pushAuthorizationRequest(server.url, { DPoP: proof });
    expect(response.status).toBe(201);
    expect(storage.stats().anonymous).toEqual({ Interaction: 1, Session: 1, PushedAuthorizationRequest: 2, ReplayDetection: 1 });
  });

  it('a whole sign-in: nothing more that counts as anonymous, once it is done', async () => {
    await signIn(server.url, 'alice', 'alice');
    // Its login-step Interaction is gone; its Session, Grant and refresh token are alice's; the
    // ReplayDetection record of the BFF's DPoP proof at the token endpoint is not anonymous either.
    expect(storage.stats()).toMatchObject({
      grantsWithTokens: 1,
      anonymous: { Interaction: 1, Session: 1, PushedAuthorizationRequest: 2, ReplayDetection: 1 },
    });
  });
});

describe('anonymous sign-ins past the cap (AUTHSERVER_MAX_ANONYMOUS_ENTRIES=40)', () => {
  // Prerequisites: alice signed in before the flood (the BFF holds her refresh token, her browser
  // her single sign-on cookie); then 60 anonymous GET /auth, 20 more than the cap.
  let server: RunningAuthServer;
  let alice: { jar: CookieJar; refreshToken: string };
  let flood: Record<number, number>;
  beforeAll(async () => {
    server = await startAuthServer(undefined, { AUTHSERVER_MAX_ANONYMOUS_ENTRIES: '40' });
    alice = await signIn(server.url, 'alice', 'alice');
    flood = await startAnonymousSignIns(server.url, 60);
  });
  afterAll(() => server.stop());

  it('sends the first 40 to the login page and refuses the other 20 with 429', () => {
    expect(flood).toEqual({ 303: 40, 429: 20 });
  });

  it('shows a browser at /auth a page saying how long to wait, with Retry-After', async () => {
    const response = await fetch(`${server.url}/auth?${authorizationRequest().query}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(response.status).toBe(429);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    const page = await response.text();
    expect(page).toContain('<h1>The Authorization Server is too busy right now</h1>');
    expect(page).toContain(
      `<code>temporarily_unavailable</code>: Too many sign-ins are in progress at the Authorization Server (its limit is 40): try again in ${retryAfter} seconds.`,
    );
  });

  it("still refreshes alice's tokens (RFC 6749 §6), her grant untouched", async () => {
    const response = await postToken({ grant_type: 'refresh_token', refresh_token: alice.refreshToken }, server.url);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'DPoP', scope: 'notes:read notes:write', refresh_token: expect.any(String) });
  });

  it('still lets alice, signed in here, through /auth: straight back to the client with a code', async () => {
    const response = await fetch(`${server.url}/auth?${authorizationRequest().query}`, { redirect: 'manual', headers: { cookie: alice.jar.header() } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${REDIRECT_URI}\\?code=`));
  });

  it("still shows alice a consent page she asks for: a signed-in user's Interaction is not capped", async () => {
    const response = await fetch(`${server.url}/auth?${authorizationRequest({ prompt: 'consent' }).query}`, {
      redirect: 'manual',
      headers: { cookie: alice.jar.header() },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/interaction\/[\w-]+$/);
  });
});

describe('the other anonymous entries past the cap (AUTHSERVER_MAX_ANONYMOUS_ENTRIES=2)', () => {
  let server: RunningAuthServer;
  beforeAll(async () => {
    server = await startAuthServer(undefined, { AUTHSERVER_MAX_ANONYMOUS_ENTRIES: '2' });
  });
  afterAll(() => server.stop());

  it('POST /request: 429 in the token endpoint error format (RFC 9126 §2.3), with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await pushAuthorizationRequest(server.url)).status);
    expect(statuses).toEqual([201, 201]);
    const refused = await pushAuthorizationRequest(server.url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^(59|60)$/);
    expect(await refused.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: `Too many pushed authorization requests are waiting at the Authorization Server (its limit is 2): try again in ${refused.headers.get('retry-after')} seconds.`,
    });
  });

  it('GET /session/end without a session: 429 JSON, or the page for a browser, with Retry-After', async () => {
    for (let i = 0; i < 2; i++) expect((await fetch(`${server.url}/session/end`)).status).toBe(200);
    const asJson = await fetch(`${server.url}/session/end`, { headers: { accept: 'application/json' } });
    expect(asJson.status).toBe(429);
    expect(asJson.headers.get('retry-after')).toMatch(/^(28799|28800)$/);
    expect(await asJson.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: `Too many sign-out pages are open for visitors who are not signed in at the Authorization Server (its limit is 2): try again in ${asJson.headers.get('retry-after')} seconds.`,
    });
    const asPage = await fetch(`${server.url}/session/end`, { headers: { accept: 'text/html' } });
    expect(asPage.status).toBe(429);
    expect(asPage.headers.get('retry-after')).toMatch(/^(28799|28800)$/);
    expect(await asPage.text()).toContain('<code>temporarily_unavailable</code>');
  });
});
