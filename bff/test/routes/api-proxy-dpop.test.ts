import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBff } from '../support/start-test-bff.ts';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';

// Prerequisites: the real BFF, its authorization server unreachable (port 1), and in place of the
// notes API a recorder that answers what each test sets: what the BFF sends on a DPoP call is
// seen on the wire, as the API would see it.
let bff: Awaited<ReturnType<typeof startTestBff>>;
let api: Server;
const received: IncomingHttpHeaders[] = [];
let answer: { status: number; headers: Record<string, string>; body: string } = { status: 200, headers: {}, body: '{"owner":"alice","notes":[]}' };

beforeAll(async () => {
  api = createServer((request, response) => {
    received.push(request.headers);
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  bff = await startTestBff([], { API_PORT: String((api.address() as AddressInfo).port) });
});
afterAll(async () => {
  await bff.close();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

async function signedInWithDpopToken(id: string): Promise<string> {
  await bff.store.set(id, { sid: `sid-${id}`, signedInAt: Date.now(), user: { sub: 'alice' }, _expire: Date.now() + 3_600_000, _maxAge: 3_600_000 }, 3_600_000);
  await bff.tokenStore.put(
    `sid-${id}`,
    {
      accessToken: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
      refreshToken: 'rt',
      accessTokenExpiresAt: Date.now() + 600_000,
      accessTokenLifetimeMs: 600_000,
      scope: 'notes:read',
      tokenType: 'dpop',
    },
    3_600_000,
  );
  return signedSessionCookie(id, bff.sessionKey);
}

describe('ANY /api/* with a DPoP-bound access token (RFC 9449 §7)', () => {
  it("sends Authorization: DPoP and a fresh proof for this method and URL, with the token's hash; no discovery needed", async () => {
    received.length = 0;
    const cookie = await signedInWithDpopToken('dpop-call');
    for (let call = 0; call < 2; call += 1) {
      const response = await fetch(`${bff.url}/api/notes`, { headers: { 'X-CSRF': '1', Cookie: cookie } });
      expect(response.status).toBe(200);
    }
    const [first, second] = received.map((headers) => ({ authorization: headers.authorization, proof: String(headers.dpop) }));
    expect(first?.authorization).toBe('DPoP eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
    expect(decodeProtectedHeader(first!.proof)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(decodeJwt(first!.proof)).toMatchObject({
      htm: 'GET',
      htu: `http://127.0.0.1:${(api.address() as AddressInfo).port}/notes`,
      // base64url(SHA-256("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"))
      ath: expect.stringMatching(/^[\w-]{43}$/),
    });
    // One proof per call: a fresh jti each time.
    expect(decodeJwt(second!.proof).jti).not.toBe(decodeJwt(first!.proof).jti);
  });

  it('takes a 401 invalid_dpop_proof as a refused token: one refresh (here the authorization server is down: 503), never the 401 to the app', async () => {
    answer = {
      status: 401,
      headers: { 'www-authenticate': 'DPoP error="invalid_dpop_proof", error_description="x", algs="ES256"' },
      body: '{"error":"invalid_dpop_proof","message":"x"}',
    };
    const cookie = await signedInWithDpopToken('dpop-refused');
    const response = await fetch(`${bff.url}/api/notes`, { headers: { 'X-CSRF': '1', Cookie: cookie } });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toBe('authserver_unavailable');
  });
});
