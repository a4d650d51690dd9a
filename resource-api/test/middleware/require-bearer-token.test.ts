import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/start-test-api.ts';
import type { TestApi } from '../support/start-test-api.ts';
import { createSigningKey, signAccessToken } from '../support/tokens.ts';
import type { TestSigningKey } from '../support/tokens.ts';

describe('GET /notes without a usable Authorization header', () => {
  let key: TestSigningKey;
  let api: TestApi;
  beforeAll(async () => {
    key = await createSigningKey();
    api = await startTestApi({ key });
  });
  afterAll(() => api.close());

  it('asks for a token, with no error code in the challenge, when there is none (RFC 6750 §3.1)', async () => {
    const response = await fetch(`${api.url}/notes`);
    expect(response.status).toBe(401);
    // RFC 9449 §7.1: a DPoP challenge too, naming the proof algorithms this API takes.
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="resource-api", DPoP algs="ES256 Ed25519 EdDSA"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      error: 'missing_token',
      message: 'This API needs an access token: send "Authorization: Bearer <token>" or "Authorization: DPoP <token>" with a DPoP proof.',
    });
  });

  it.each([
    ['Basic', 'Basic YWxpY2U6YWxpY2U='],
    ['a token without a scheme (read as a scheme)', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
    ['Digest', 'Digest username="alice", realm="x"'],
  ])('answers an unsupported scheme (%s) like no credentials: 401 and a bare challenge (RFC 6750 §3.1)', async (_case, authorization) => {
    const response = await fetch(`${api.url}/notes`, { headers: { Authorization: authorization } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="resource-api", DPoP algs="ES256 Ed25519 EdDSA"');
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('missing_token');
    expect(body.message).toMatch(
      /^This API does not take \S+ credentials: send an access token, "Authorization: Bearer <token>" or "Authorization: DPoP <token>" with a DPoP proof\.$/,
    );
  });

  it.each([
    ['the scheme alone', 'Bearer'],
    ['two tokens', 'Bearer abc def'],
  ])('rejects a malformed header: %s', async (_case, authorization) => {
    const response = await fetch(`${api.url}/notes`, { headers: { Authorization: authorization } });
    const description = 'the Authorization header must be the word Bearer, a space and one token (RFC 6750 section 2.1)';
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="resource-api", error="invalid_request", error_description="${description}"`);
    expect(await response.json()).toEqual({ error: 'invalid_request', message: description });
  });

  it('rejects a valid token sent in the query string (RFC 6750 §2.3, §5.3)', async () => {
    const token = await signAccessToken(key);
    const response = await fetch(`${api.url}/notes?access_token=${token}`);
    const description = 'send the access token in the Authorization header, not in the URL (RFC 6750 section 2.3 is not supported here)';
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="resource-api", error="invalid_request", error_description="${description}"`);
    expect(await response.json()).toEqual({ error: 'invalid_request', message: description });
  });

  it('accepts the scheme name in any case (RFC 9110 §11.1)', async () => {
    const token = await signAccessToken(key);
    const response = await fetch(`${api.url}/notes`, { headers: { Authorization: `bearer ${token}` } });
    expect(response.status).toBe(200);
  });
});
