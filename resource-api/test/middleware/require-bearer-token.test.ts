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
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="resource-api"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      error: 'missing_token',
      message: 'This API needs an access token: send "Authorization: Bearer <token>".',
    });
  });

  it.each([
    ['another scheme', 'Basic YWxpY2U6YWxpY2U='],
    ['the scheme alone', 'Bearer'],
    ['two tokens', 'Bearer abc def'],
    ['a token without the scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
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
