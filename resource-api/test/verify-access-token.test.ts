import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectInvalidToken, getNotes, readJson, startTestApi } from './support/start-test-api.ts';
import type { NotesBody, TestApi } from './support/start-test-api.ts';
import { AUDIENCE, FOREIGN_AUDIENCE, ISSUER, craftUnsignedToken, createSigningKey, nowInSeconds, signAccessToken, tamperWithClaims } from './support/tokens.ts';
import type { TestSigningKey } from './support/tokens.ts';

let key: TestSigningKey;
beforeAll(async () => {
  key = await createSigningKey();
});

describe('GET /notes with a token the API must refuse', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ key });
  });
  afterAll(() => api.close());

  it('rejects a token whose aud is another API (RFC 9068 §4, RFC 8725 §3.9)', async () => {
    const token = await signAccessToken(key, { claims: { aud: FOREIGN_AUDIENCE } });
    await expectInvalidToken(await getNotes(api, token), 'aud is http://localhost:9999, this API is http://localhost:4001');
  });

  it('rejects an expired token and says when it expired', async () => {
    const exp = nowInSeconds() - 60;
    const token = await signAccessToken(key, { claims: { iat: exp - 600, exp } });
    await expectInvalidToken(await getNotes(api, token), `the access token expired at ${new Date(exp * 1000).toISOString()}`);
  });

  it('rejects a token signed by another key that claims the same kid', async () => {
    const impostor = await createSigningKey(key.kid);
    const token = await signAccessToken(impostor);
    await expectInvalidToken(
      await getNotes(api, token),
      "the signature does not match the authorization server's key: the token was altered or signed by someone else",
    );
  });

  it("rejects alice's token with sub changed to bob (tampered payload)", async () => {
    const token = tamperWithClaims(await signAccessToken(key), { sub: 'bob' });
    await expectInvalidToken(
      await getNotes(api, token),
      "the signature does not match the authorization server's key: the token was altered or signed by someone else",
    );
  });

  it('rejects an unsigned alg none token (RFC 8725 §3.1)', async () => {
    const now = nowInSeconds();
    const token = craftUnsignedToken({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'bob',
      scope: 'notes:read',
      client_id: 'lab-bff',
      iat: now,
      exp: now + 600,
      jti: 'forged',
    });
    await expectInvalidToken(await getNotes(api, token), 'alg is none (an unsigned token), this API accepts only RS256, PS256, ES256');
  });

  it('rejects a token from another issuer', async () => {
    const token = await signAccessToken(key, { claims: { iss: 'http://[::1]:6660' } });
    await expectInvalidToken(await getNotes(api, token), 'iss is http://[::1]:6660, this API trusts only http://127.0.0.1:4000');
  });

  it('rejects a JWT that is not typed at+jwt, such as an ID token (RFC 9068 §2.1)', async () => {
    const token = await signAccessToken(key, { header: { typ: 'JWT' } });
    await expectInvalidToken(await getNotes(api, token), 'typ is JWT, this API accepts only at+jwt access tokens (RFC 9068 section 2.1)');
  });

  it('rejects a token without client_id (RFC 9068 §2.2)', async () => {
    const token = await signAccessToken(key, { claims: { client_id: undefined } });
    await expectInvalidToken(await getNotes(api, token), 'the access token has no client_id claim, which RFC 9068 section 2.2 requires');
  });

  it('rejects a token whose kid the authorization server does not publish', async () => {
    const stranger = await createSigningKey('some-other-kid');
    const token = await signAccessToken(stranger);
    await expectInvalidToken(await getNotes(api, token), 'no key of the authorization server matches kid some-other-kid and alg RS256');
  });

  it('rejects an opaque token', async () => {
    await expectInvalidToken(
      await getNotes(api, 'kJ3xq0m2Qv8tYp1LrZbW4sN6dHcE9fUgAiOo7eX5'),
      'the access token is not a well-formed JWT (Invalid Compact JWS); this API accepts only JWT access tokens (RFC 9068)',
    );
  });
});

describe('GET /notes when the authorization server publishes its keys', () => {
  let jwksServer: ReturnType<typeof createServer>;
  let api: TestApi;
  beforeAll(async () => {
    jwksServer = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify(key.jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    api = await startTestApi({ getKey: createRemoteJWKSet(new URL(jwksUrl)), config: { jwksUrl } });
  });
  afterAll(async () => {
    await api.close();
    jwksServer.close();
  });

  it('fetches them over HTTP and accepts a token they verify', async () => {
    const response = await getNotes(api, await signAccessToken(key));
    expect(response.status).toBe(200);
    expect((await readJson<NotesBody>(response)).owner).toBe('alice');
  });
});

describe('GET /notes when the authorization server is down', () => {
  let jwksUrl: string;
  let api: TestApi;
  beforeAll(async () => {
    // A port that was just free: nothing listens there, so the connection is refused. (Port 1
    // would not do: fetch refuses "bad ports" before even trying to connect.)
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    jwksUrl = `http://127.0.0.1:${port}/jwks`;
    api = await startTestApi({ getKey: createRemoteJWKSet(new URL(jwksUrl)), config: { jwksUrl } });
  });
  afterAll(() => api.close());

  it('answers 503 authserver_unavailable, not 401: the token may be fine', async () => {
    const response = await getNotes(api, await signAccessToken(key));
    expect(response.status).toBe(503);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      error: 'authserver_unavailable',
      message: "The authorization server's signing keys (JWKS) could not be fetched, so no token can be checked right now; try again shortly.",
    });
    const address = new URL(jwksUrl).host;
    expect(api.logs).toEqual([`resource-api: cannot fetch the JWKS at ${jwksUrl}: fetch failed (connect ECONNREFUSED ${address})`]);
    expect(api.logs.join('\n')).not.toContain('eyJ');
  });
});
