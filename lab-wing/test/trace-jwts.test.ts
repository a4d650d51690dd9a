import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRACE_HEADERS, XRAY_CALLER, type TraceEvent } from '@lab/shared';
import { TraceRecorder, createJwtVerifier, localKeySetOf, traceRequests } from '../src/index.ts';

const ISSUER = 'http://127.0.0.1:4000';
const FULL_JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

let signingJwk: JWK;
let sign: (claims: Record<string, unknown>, typ?: string) => Promise<string>;
let signWithOtherKey: (claims: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  const issuerKey = await generateKeyPair('RS256', { extractable: true });
  const otherKey = await generateKeyPair('RS256');
  signingJwk = { ...(await exportJWK(issuerKey.privateKey)), kid: 'k1', alg: 'RS256' };
  sign = (claims, typ = 'JWT') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ }).setIssuer(ISSUER).setIssuedAt().setExpirationTime('5m').sign(issuerKey.privateKey);
  signWithOtherKey = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(otherKey.privateKey);
});

function recorderWithVerifier(): TraceRecorder {
  const recorder = new TraceRecorder('authserver');
  recorder.verifier = createJwtVerifier({ issuer: ISSUER, keys: localKeySetOf(signingJwk as Record<string, unknown>) });
  return recorder;
}

function recordTokenResponse(recorder: TraceRecorder, body: Record<string, unknown>): TraceEvent {
  return recorder.record({
    time: new Date().toISOString(),
    direction: 'inbound',
    channel: 'back',
    from: 'bff',
    to: 'authserver',
    method: 'POST',
    url: `${ISSUER}/token`,
    status: 200,
    durationMs: 12,
    requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
    responseHeaders: { 'content-type': 'application/json' },
    requestBody: 'grant_type=authorization_code&code=abcdefghijklmnopqrstuvwxyz0123456789',
    responseBody: JSON.stringify(body),
    correlationId: 'c1',
  })!;
}

describe('TraceRecorder: JWTs decoded in the trace', () => {
  it('decodes each JWT of a token response at record time, and verifies its signature afterwards', async () => {
    const recorder = recorderWithVerifier();
    const changes: Array<[string, string]> = [];
    recorder.subscribe((event, change) => changes.push([change, (event.jwts ?? []).map((jwt) => jwt.signature).join(',')]));
    const accessToken = await sign({ sub: 'alice', aud: 'http://localhost:4001', client_id: 'bff', scope: 'notes:read' }, 'at+jwt');
    const idToken = await sign({ sub: 'alice', aud: 'bff', nonce: 'n-1', auth_time: 1_700_000_000 });

    const event = recordTokenResponse(recorder, {
      access_token: accessToken,
      id_token: idToken,
      refresh_token: 'opaque-refresh-token-value',
      token_type: 'Bearer',
    });

    expect(event.jwts?.map(({ where, header, signature }) => ({ where, typ: header.typ, signature }))).toEqual([
      { where: 'response body: access_token', typ: 'at+jwt', signature: 'unchecked' },
      { where: 'response body: id_token', typ: 'JWT', signature: 'unchecked' },
    ]);
    expect(event.jwts?.[1]?.payload).toMatchObject({ sub: 'alice', aud: 'bff', nonce: 'n-1', iss: ISSUER });
    await recorder.verified();
    expect(event.jwts?.map((jwt) => jwt.signature)).toEqual(['verified', 'verified']);
    expect(changes).toEqual([
      ['recorded', 'unchecked,unchecked'],
      ['verified', 'verified,verified'],
    ]);
  });

  it('marks a token signed with another key as invalid', async () => {
    const recorder = recorderWithVerifier();
    const forged = await signWithOtherKey({ sub: 'mallory', aud: 'http://localhost:4001' });
    const event = recorder.record({
      time: new Date().toISOString(),
      direction: 'inbound',
      channel: 'back',
      from: 'bff',
      to: 'resource-api',
      method: 'GET',
      url: 'http://127.0.0.1:4001/notes',
      status: 401,
      durationMs: 3,
      requestHeaders: { authorization: `Bearer ${forged}` },
      responseHeaders: {},
      correlationId: 'c2',
    })!;
    await recorder.verified();
    expect(event.jwts).toEqual([expect.objectContaining({ where: 'request header: authorization', signature: 'invalid' })]);
  });

  it('counts an expired but genuine token as verified (the dates are shown apart)', async () => {
    const recorder = recorderWithVerifier();
    const expired = await sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900 });
    const event = recordTokenResponse(recorder, { id_token: expired });
    await recorder.verified();
    expect(event.jwts?.[0]?.signature).toBe('verified');
  });

  it('leaves the signature unchecked without a verifier', () => {
    const recorder = new TraceRecorder('bff');
    return sign({ sub: 'alice' }).then((token) => {
      const event = recordTokenResponse(recorder, { id_token: token });
      expect(event.jwts?.[0]?.signature).toBe('unchecked');
    });
  });

  it('never puts a full token in the event unless the full view is on', async () => {
    const recorder = recorderWithVerifier();
    const token = await sign({ sub: 'alice' }, 'at+jwt');
    const shortened = recordTokenResponse(recorder, { access_token: token });
    expect(JSON.stringify(shortened)).not.toMatch(FULL_JWT);
    expect(shortened.jwts).toHaveLength(1);

    recorder.fullView = true;
    const full = recordTokenResponse(recorder, { access_token: token });
    expect(JSON.stringify(full)).toContain(token);
  });

  it('names where a token was: a redirect fragment, a query parameter, a cookie', async () => {
    const recorder = new TraceRecorder('attacker');
    const token = await sign({ sub: 'alice' });
    const event = recorder.record({
      time: new Date().toISOString(),
      direction: 'inbound',
      channel: 'front',
      from: 'user-agent',
      to: 'attacker',
      method: 'GET',
      url: `http://[::1]:6660/collect?loot=${token}`,
      status: 302,
      durationMs: 1,
      requestHeaders: {},
      responseHeaders: { location: `http://localhost:5173/#id_token=${token}x` },
      correlationId: 'c3',
    })!;
    expect(event.jwts?.map((jwt) => jwt.where)).toEqual(['URL: loot', 'response header: location: id_token']);
  });
});

describe('traceRequests and the X-ray', () => {
  it("leaves out the X-ray's own JWKS fetches, and records everyone else's", async () => {
    const recorder = new TraceRecorder('authserver');
    const app = new Koa();
    app.use(traceRequests(recorder, 'authserver'));
    app.use((ctx) => {
      ctx.body = { keys: [] };
    });
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    try {
      await fetch(url, { headers: { [TRACE_HEADERS.caller]: XRAY_CALLER } });
      await fetch(url, { headers: { [TRACE_HEADERS.caller]: 'resource-api' } });
      expect(recorder.since().map((event) => `${event.from} ${event.method} ${new URL(event.url).pathname}`)).toEqual(['resource-api GET /jwks']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('checks tokens against the public half of the signing key only', async () => {
    const keys = localKeySetOf(signingJwk as Record<string, unknown>);
    const verify = createJwtVerifier({ issuer: ISSUER, keys });
    expect(await verify(await sign({ sub: 'alice' }))).toBe('verified');
    expect(await verify(await sign({ sub: 'alice' }).then((token) => `${token.slice(0, -4)}AAAA`))).toBe('invalid');
    // A token from another issuer, even signed with the right key, is not the authorization server's.
    const wrongIssuer = createJwtVerifier({ issuer: 'http://evil.example', keys });
    expect(await wrongIssuer(await sign({ sub: 'alice' }))).toBe('invalid');
    const noKeys = createJwtVerifier({ issuer: ISSUER, keys: createLocalJWKSet({ keys: [] }) });
    expect(await noKeys(await sign({ sub: 'alice' }))).toBe('invalid');
  });

  it("checks a DPoP proof against the key in its own jwk header, not the issuer's (RFC 9449 §4.3)", async () => {
    const verify = createJwtVerifier({ issuer: ISSUER, keys: localKeySetOf(signingJwk as Record<string, unknown>) });
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'GET', htu: 'http://127.0.0.1:4001/notes', jti: 'j1' })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    expect(await verify(proof)).toBe('verified');
    expect(await verify(`${proof.slice(0, -4)}AAAA`)).toBe('invalid');
  });

  it('checks the signature of one token once, however often it is recorded (the access token rides on every API call)', async () => {
    const keys = localKeySetOf(signingJwk as Record<string, unknown>);
    let lookups = 0;
    const counting: typeof keys = (header, token) => {
      lookups += 1;
      return keys(header, token);
    };
    const verify = createJwtVerifier({ issuer: ISSUER, keys: counting });
    const token = await sign({ sub: 'alice' });
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(token)));
    expect(new Set(results)).toEqual(new Set(['verified']));
    expect(lookups).toBe(1);
    expect(await verify(await sign({ sub: 'bob' }))).toBe('verified');
    expect(lookups).toBe(2);
  });
});
