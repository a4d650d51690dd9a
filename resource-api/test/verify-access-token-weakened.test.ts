import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectInvalidToken, getNotes, readJson, startTestApi } from './support/start-test-api.ts';
import type { NotesBody, TestApi } from './support/start-test-api.ts';
import { AUDIENCE, FOREIGN_AUDIENCE, ISSUER, craftUnsignedToken, createSigningKey, nowInSeconds, signAccessToken, tamperWithClaims } from './support/tokens.ts';
import type { TestSigningKey } from './support/tokens.ts';

// The lab's deliberately weakened modes: each test shows what an attacker gets once one
// defence of verifyAccessToken is switched off, and that the other checks still hold.

let key: TestSigningKey;
beforeAll(async () => {
  key = await createSigningKey();
});

describe('GET /notes with api-audience weakened (lab mode)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ key, weakened: ['api-audience'] });
  });
  afterEach(() => api.defences.set(['api-audience']));
  afterAll(() => api.close());

  it("accepts a token minted for another API, and alice's notes leak to it", async () => {
    const token = await signAccessToken(key, { claims: { aud: FOREIGN_AUDIENCE } });
    const response = await getNotes(api, token);
    expect(response.status).toBe(200);
    expect((await readJson<NotesBody>(response)).notes).toContainEqual(expect.objectContaining({ text: "Alice's note: the spare key is under the blue pot" }));
  });

  it('refuses the same token again as soon as the defence is restored at run time', async () => {
    const token = await signAccessToken(key, { claims: { aud: FOREIGN_AUDIENCE } });
    api.defences.set([]);
    await expectInvalidToken(await getNotes(api, token), 'aud is http://localhost:9999, this API is http://localhost:4001');
  });

  it('still checks the signature', async () => {
    const token = tamperWithClaims(await signAccessToken(key), { sub: 'bob' });
    expect((await getNotes(api, token)).status).toBe(401);
  });
});

describe('GET /notes with api-signature weakened (lab mode, deliberately vulnerable)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ key, weakened: ['api-signature'] });
  });
  afterAll(() => api.close());

  it('accepts an unsigned alg none token that anyone could write, and serves bob to mallory', async () => {
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
    const response = await getNotes(api, token);
    expect(response.status).toBe(200);
    expect((await readJson<NotesBody>(response)).owner).toBe('bob');
  });

  it("accepts alice's token rewritten to say sub: bob", async () => {
    const token = tamperWithClaims(await signAccessToken(key), { sub: 'bob' });
    const response = await getNotes(api, token);
    expect(response.status).toBe(200);
    expect((await readJson<NotesBody>(response)).owner).toBe('bob');
  });

  it('still checks exp, iss and aud', async () => {
    const exp = nowInSeconds() - 60;
    const expired = tamperWithClaims(await signAccessToken(key), { exp });
    await expectInvalidToken(await getNotes(api, expired), `the access token expired at ${new Date(exp * 1000).toISOString()}`);
    const foreignIssuer = tamperWithClaims(await signAccessToken(key), { iss: 'http://[::1]:6660' });
    await expectInvalidToken(await getNotes(api, foreignIssuer), 'iss is http://[::1]:6660, this API trusts only http://127.0.0.1:4000');
    const foreignAudience = tamperWithClaims(await signAccessToken(key), { aud: FOREIGN_AUDIENCE });
    await expectInvalidToken(await getNotes(api, foreignAudience), 'aud is http://localhost:9999, this API is http://localhost:4001');
  });
});
