import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startTestBff } from '../support/start-test-bff.ts';

let bff: Awaited<ReturnType<typeof startTestBff>>;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(async () => {
  await bff.close();
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${bff.url}${path}`, { redirect: 'manual', ...init });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: response.headers };
}

/** A request whose path is sent exactly as written (fetch would normalise `..` away first). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(bff.url);
    const outgoing = request({ host: url.hostname, port: url.port, path, headers }, (incoming) => {
      let text = '';
      incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the X-CSRF header rule', () => {
  it.each([
    ['GET', '/bff/user'],
    ['POST', '/bff/logout'],
    ['GET', '/api/notes'],
    ['POST', '/api/notes'],
  ])('%s %s without X-CSRF: 1 answers 403 csrf_header_missing', async (method, path) => {
    const response = await call(path, { method });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: 'csrf_header_missing', message: expect.stringContaining('X-CSRF: 1') });
  });

  it('does not accept another value than 1', async () => {
    expect((await call('/bff/user', { headers: { 'X-CSRF': 'yes' } })).status).toBe(403);
  });
});

describe('GET /bff/user', () => {
  it('answers 401 not_authenticated, no-store, when there is no session', async () => {
    const response = await call('/bff/user', { headers: { 'X-CSRF': '1' } });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'not_authenticated', message: 'You are not signed in.' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /bff/login', () => {
  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', 'http:evil.example'])(
    'refuses returnTo=%s with 400 invalid_return_to, before any redirect',
    async (returnTo) => {
      const response = await call(`/bff/login?returnTo=${encodeURIComponent(returnTo)}`);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_return_to', message: expect.any(String) });
      expect(response.headers.get('location')).toBeNull();
    },
  );

  it('answers 503 authserver_unavailable, as JSON, when the authorization server is down', async () => {
    const response = await call('/bff/login?returnTo=/');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ error: 'authserver_unavailable', message: expect.any(String) });
  });
});

describe('GET /bff/callback', () => {
  it('refuses a callback this browser did not start: 400 invalid_state', async () => {
    const response = await call('/bff/callback?code=stolen&state=guessed&iss=http%3A%2F%2F127.0.0.1%3A4000');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_state' });
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses a callback without state: 400 invalid_state', async () => {
    const response = await call('/bff/callback?code=stolen');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_state', message: 'The callback has no state parameter.' });
  });
});

describe('ANY /api/* (the proxy allow-list)', () => {
  const csrf = { 'X-CSRF': '1' };
  it.each([
    '/api/notes/../admin',
    '/api/%2e%2e/admin',
    '/api/notes%2F..%2Fadmin',
    '/api//evil.example/steal',
    '/api/@evil.example/steal',
    '/api/notes\\..\\admin',
  ])('refuses %s with 400 invalid_api_path', async (path) => {
    const response = await rawGet(path, csrf);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_api_path' });
  });

  it.each([
    ['DELETE', '/api/notes'],
    ['GET', '/api/admin'],
    ['GET', '/api/notes/1'],
  ])('refuses %s %s, not on the list, with 404 api_route_not_allowed', async (method, path) => {
    const response = await call(path, { method, headers: csrf });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'api_route_not_allowed' });
  });

  it('refuses a text/plain body (what a cross-site form sends) with 415', async () => {
    const response = await call('/api/notes', { method: 'POST', headers: { ...csrf, 'Content-Type': 'text/plain' }, body: '{"text":"x"}' });
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('refuses broken JSON with 400 invalid_json, not 500', async () => {
    const response = await call('/api/notes', { method: 'POST', headers: { ...csrf, 'Content-Type': 'application/json' }, body: '{"text":' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_json' });
  });

  it('answers an allowed route without a session with 401 not_authenticated', async () => {
    const response = await call('/api/notes', { headers: csrf });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'not_authenticated' });
  });
});

describe('POST /bff/code (the seed variant)', () => {
  it('does not exist while the lab runs the recommended flow: 404 not_found', async () => {
    const response = await call('/bff/code', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' }, body: '{"code":"c","state":"s"}' });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'not_found' });
  });
});

describe('ANY /api/* body types', () => {
  it('refuses a form-encoded body with 415 instead of forwarding an empty one', async () => {
    const response = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'text=x' });
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ error: 'unsupported_media_type' });
  });
});

describe('POST /api/* with a JSON body nested too deep', () => {
  it.each([
    ['arrays', `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
    ['objects', `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`],
    ['just past the limit', `${'['.repeat(33)}${']'.repeat(33)}`],
  ])('answers 400 json_too_deep for %s, before the session or the API is looked at', async (_shape, body) => {
    const response = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ error: 'json_too_deep', message: 'The JSON body is nested more than 32 levels deep.' });
  });

  it('takes a body nested up to the limit (then asks for a session: 401 not_authenticated)', async () => {
    const body = `${'['.repeat(32)}${']'.repeat(32)}`;
    const response = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' }, body });
    expect(response).toMatchObject({ status: 401, body: { error: 'not_authenticated' } });
  });
});
