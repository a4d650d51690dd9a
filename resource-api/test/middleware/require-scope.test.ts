import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '@lab/kit';
import { getNotes, readJson, startTestApi } from '../support/start-test-api.ts';
import type { NotesBody, TestApi } from '../support/start-test-api.ts';
import { createSigningKey, signAccessToken } from '../support/tokens.ts';
import type { TestSigningKey } from '../support/tokens.ts';

describe('a valid token without the scope the route needs', () => {
  let key: TestSigningKey;
  let api: TestApi;
  beforeAll(async () => {
    key = await createSigningKey();
    api = await startTestApi({ key });
  });
  afterAll(() => api.close());

  it('GET /notes answers 403 insufficient_scope naming notes:read (RFC 6750 §3.1)', async () => {
    const token = await signAccessToken(key, { claims: { scope: 'openid notes:write' } });
    const response = await getNotes(api, token);
    const description = 'this request needs the notes:read scope, which the access token was not granted';
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="resource-api", error="insufficient_scope", error_description="${description}", scope="notes:read"`,
    );
    expect(await response.json()).toEqual({ error: 'insufficient_scope', message: description });
  });

  it('GET /notes answers 403 for a token with no scope claim at all', async () => {
    const token = await signAccessToken(key, { claims: { scope: undefined } });
    const response = await getNotes(api, token);
    expect(response.status).toBe(403);
    expect((await readJson<ErrorBody>(response)).error).toBe('insufficient_scope');
  });

  it('POST /notes answers 403 insufficient_scope naming notes:write, and adds nothing', async () => {
    const token = await signAccessToken(key, { claims: { scope: 'notes:read' } });
    const response = await fetch(`${api.url}/notes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'sneaky' }),
    });
    const description = 'this request needs the notes:write scope, which the access token was not granted';
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="resource-api", error="insufficient_scope", error_description="${description}", scope="notes:write"`,
    );
    expect(await response.json()).toEqual({ error: 'insufficient_scope', message: description });
    const { notes } = await readJson<NotesBody>(await getNotes(api, token));
    expect(notes.map((note) => note.text)).not.toContain('sneaky');
  });
});
