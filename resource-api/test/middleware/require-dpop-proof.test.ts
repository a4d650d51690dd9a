import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, startTestApi } from '../support/start-test-api.ts';
import type { NotesBody, TestApi } from '../support/start-test-api.ts';
import { AUDIENCE, createSigningKey, nowInSeconds, signAccessToken } from '../support/tokens.ts';
import type { TestSigningKey } from '../support/tokens.ts';

const ALGS = 'ES256 Ed25519 EdDSA';
/** The URL a proof names (`htu`): the API's resource indicator and path, as a client addresses it. */
const NOTES_URL = `${AUDIENCE}/notes`;

interface DpopKey {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly jkt: string;
}

async function createDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** A DPoP proof as RFC 9449 §4.2 describes it; tests override what they probe. */
function makeProof(key: DpopKey, accessToken: string, overrides: { claims?: JWTPayload; header?: Record<string, unknown> } = {}): Promise<string> {
  return new SignJWT({
    jti: randomUUID(),
    htm: 'GET',
    htu: NOTES_URL,
    iat: nowInSeconds(),
    ath: createHash('sha256').update(accessToken).digest('base64url'),
    ...overrides.claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...overrides.header })
    .sign(key.privateKey);
}

function getNotesWith(api: TestApi, headers: Record<string, string>): Promise<Response> {
  return fetch(`${api.url}/notes`, { headers });
}

async function expectDpopRefusal(response: Response, error: 'invalid_token' | 'invalid_dpop_proof', description: string): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(`DPoP error="${error}", error_description="${description}", algs="${ALGS}"`);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({ error, message: description });
}

describe('GET /notes with a DPoP-bound access token (RFC 9449)', () => {
  let signing: TestSigningKey;
  let bff: DpopKey;
  let mallory: DpopKey;
  let api: TestApi;
  let bound: string;

  beforeAll(async () => {
    signing = await createSigningKey();
    bff = await createDpopKey();
    mallory = await createDpopKey();
    api = await startTestApi({ key: signing });
    bound = await signAccessToken(signing, { claims: { cnf: { jkt: bff.jkt } } });
  });
  afterAll(() => api.close());

  it("serves alice's notes for the token and a fresh proof of the key it is bound to", async () => {
    const response = await getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: await makeProof(bff, bound) });
    expect(response.status).toBe(200);
    expect((await readJson<NotesBody>(response)).owner).toBe('alice');
  });

  it('refuses the bound token presented as Bearer, with a DPoP challenge (RFC 9449 §7.2)', async () => {
    const response = await getNotesWith(api, { Authorization: `Bearer ${bound}` });
    await expectDpopRefusal(
      response,
      'invalid_token',
      "this access token is bound to a key (cnf.jkt): send it as 'Authorization: DPoP <token>' with a DPoP proof of that key",
    );
  });

  it('refuses the bound token as DPoP without a proof', async () => {
    const response = await getNotesWith(api, { Authorization: `DPoP ${bound}` });
    await expectDpopRefusal(response, 'invalid_dpop_proof', 'a DPoP-bound access token needs a DPoP proof: send it in the DPoP header (RFC 9449 section 7.1)');
  });

  it('refuses a proof used a second time (jti replay, RFC 9449 §11.1)', async () => {
    const proof = await makeProof(bff, bound);
    expect((await getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: proof })).status).toBe(200);
    const replay = await getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: proof });
    await expectDpopRefusal(replay, 'invalid_dpop_proof', 'this DPoP proof was already used (jti seen before): a replayed proof');
  });

  it('accepts one proof once when it arrives many times at the same moment', async () => {
    const proof = await makeProof(bff, bound);
    const answers = await Promise.all(Array.from({ length: 12 }, () => getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: proof })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array<number>(11).fill(401)]);
  });

  it("refuses a proof signed by another key (Mallory's own)", async () => {
    const response = await getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: await makeProof(mallory, bound) });
    await expectDpopRefusal(response, 'invalid_dpop_proof', `the proof is signed by key ${mallory.jkt}, the access token is bound to key ${bff.jkt} (cnf.jkt)`);
  });

  it.each([
    ['for another method (htm)', { claims: { htm: 'POST' } }, 'htm is POST, this request is GET'],
    [
      'for another URL (htu)',
      { claims: { htu: 'http://localhost:9999/notes' } },
      'htu is http://localhost:9999/notes, this request is for http://localhost:4001/notes',
    ],
    ['with a query in htu', { claims: { htu: `${NOTES_URL}?owner=bob` } }, `htu is ${NOTES_URL}?owner=bob, this request is for http://localhost:4001/notes`],
    [
      'for another access token (ath)',
      { claims: { ath: 'x'.repeat(43) } },
      'ath is not the SHA-256 hash of this access token: the proof was made for another token',
    ],
    ['made two minutes ago (iat)', { claims: { iat: nowInSeconds() - 120 } }, 'the proof is too old: iat more than 60 s ago (RFC 9449 section 11.1)'],
    ['made in the future (iat)', { claims: { iat: nowInSeconds() + 120 } }, 'the proof claims to be made in the future (iat)'],
    ['without jti', { claims: { jti: undefined } }, 'the proof has no jti claim, which RFC 9449 section 4.2 requires'],
    ['of another type (typ: JWT)', { header: { typ: 'JWT' } }, 'typ must be dpop+jwt (RFC 9449 section 4.2)'],
    [
      'without a jwk header',
      { header: { jwk: undefined } },
      "the proof is not a valid DPoP proof JWT ('jwk' (JSON Web Key) Header Parameter must be a JSON object)",
    ],
  ])('refuses a proof %s', async (_case, overrides, description) => {
    const response = await getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: await makeProof(bff, bound, overrides) });
    await expectDpopRefusal(response, 'invalid_dpop_proof', description);
  });

  it('refuses two DPoP headers', async () => {
    const [first, second] = [await makeProof(bff, bound), await makeProof(bff, bound)];
    const headers = new Headers({ Authorization: `DPoP ${bound}` });
    headers.append('DPoP', first);
    headers.append('DPoP', second);
    const response = await fetch(`${api.url}/notes`, { headers });
    await expectDpopRefusal(response, 'invalid_dpop_proof', 'the DPoP header must carry exactly one proof, a compact JWT (RFC 9449 section 4.2)');
  });

  it('refuses a token without cnf sent as DPoP: it is a Bearer token', async () => {
    const unbound = await signAccessToken(signing);
    const response = await getNotesWith(api, { Authorization: `DPoP ${unbound}`, DPoP: await makeProof(bff, unbound) });
    await expectDpopRefusal(response, 'invalid_token', 'this access token is not bound to a key (no cnf.jkt): it is a Bearer token');
  });

  it('still takes a token without cnf as Bearer (the public client and other APIs do not use DPoP)', async () => {
    const unbound = await signAccessToken(signing);
    expect((await getNotesWith(api, { Authorization: `Bearer ${unbound}` })).status).toBe(200);
  });

  it('answers an expired bound token sent as DPoP with a DPoP invalid_token challenge', async () => {
    const expired = await signAccessToken(signing, { claims: { cnf: { jkt: bff.jkt }, iat: nowInSeconds() - 700, exp: nowInSeconds() - 100 } });
    const response = await getNotesWith(api, { Authorization: `DPoP ${expired}`, DPoP: await makeProof(bff, expired) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^DPoP error="invalid_token", error_description="the access token expired at [^"]+", algs="ES256 Ed25519 EdDSA"$/,
    );
  });

  it('answers any DPoP header value with a 401 invalid_dpop_proof, never a 5xx (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }).filter((value) => /^[\x21-\x7e]+$/.test(value)),
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join('.').replaceAll('=', '')),
          fc.jsonValue().map((value) => `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(value)).toString('base64url')}.c2ln`),
        ),
        async (proof) => {
          const response = await getNotesWith(api, { Authorization: `DPoP ${bound}`, DPoP: proof });
          expect(response.status).toBe(401);
          expect(((await response.json()) as { error: string }).error).toBe('invalid_dpop_proof');
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});

describe('GET /notes with the dpop defence weakened', () => {
  it('takes a DPoP-bound token as a plain Bearer token: the binding is silently dropped', async () => {
    const signing = await createSigningKey();
    const bff = await createDpopKey();
    const api = await startTestApi({ key: signing, weakened: ['dpop'] });
    try {
      const bound = await signAccessToken(signing, { claims: { cnf: { jkt: bff.jkt } } });
      const response = await getNotesWith(api, { Authorization: `Bearer ${bound}` });
      expect(response.status).toBe(200);
      expect((await readJson<NotesBody>(response)).owner).toBe('alice');
      const none = await fetch(`${api.url}/notes`);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="resource-api"');
    } finally {
      await api.close();
    }
  });
});
