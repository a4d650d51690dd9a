import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startTestBff } from '../support/start-test-bff.ts';

// Prerequisites: the real BFF on port 0, every defence on. Its authorization server (port 1) and
// notes API (port 2) are not running: these are the rules the BFF applies on its own, and each test
// asserts the whole answer as it goes on the wire (status, JSON body, and the headers that matter).
let bff: Awaited<ReturnType<typeof startTestBff>>;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(async () => {
  await bff.close();
});

interface WireAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

async function call(path: string, init: RequestInit = {}): Promise<WireAnswer> {
  const response = await fetch(`${bff.url}${path}`, { redirect: 'manual', ...init });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers };
}

/** A request whose path is sent exactly as written (fetch would normalise `..` away first). */
function rawGet(path: string, headers: Record<string, string>): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(bff.url);
    const outgoing = request({ host: url.hostname, port: url.port, path, headers }, (incoming) => {
      let text = '';
      incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
      incoming.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of [value ?? []].flat()) answer.append(name, one);
        }
        resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) as unknown, headers: answer });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * A refusal in the lab's JSON error format, exactly: this status and body; never cached
 * (`Cache-Control: no-store`), JSON and `nosniff`; no redirect a JSON caller would follow, no
 * cookie (a refused request starts no session) and no `WWW-Authenticate` (the SPA's 401 means
 * "signed out", not "send credentials"), unless the rule says otherwise in `headers`.
 */
function expectRefusal(answer: WireAnswer, status: number, body: Record<string, unknown>, headers: Record<string, string | null> = {}): void {
  expect({ status: answer.status, body: answer.body }).toEqual({ status, body });
  const expected: Record<string, string | null> = {
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'x-content-type-options': 'nosniff',
    location: null,
    'set-cookie': null,
    'www-authenticate': null,
    'referrer-policy': null,
    'retry-after': null,
    ...headers,
  };
  const actual = Object.fromEntries(Object.keys(expected).map((name) => [name, answer.headers.get(name)]));
  expect(actual).toEqual(expected);
}

const CSRF_MISSING = { error: 'csrf_header_missing', message: 'This endpoint requires the header "X-CSRF: 1". Cross-site requests cannot send it.' };
const NOT_AUTHENTICATED = { error: 'not_authenticated', message: 'You are not signed in.' };
const UNSUPPORTED_MEDIA_TYPE = { error: 'unsupported_media_type', message: 'Send the body as application/json.' };

describe('the X-CSRF header rule', () => {
  it.each([
    ['GET', '/bff/user'],
    ['POST', '/bff/logout'],
    ['GET', '/api/notes'],
    ['POST', '/api/notes'],
  ])('%s %s without X-CSRF: 1 answers 403 csrf_header_missing', async (method, path) => {
    expectRefusal(await call(path, { method }), 403, CSRF_MISSING);
  });

  it.each(['yes', 'true', '0', ' 1x'])('does not accept X-CSRF: %s, only 1', async (value) => {
    expectRefusal(await call('/bff/user', { headers: { 'X-CSRF': value } }), 403, CSRF_MISSING);
  });
});

describe('GET /bff/user', () => {
  it('answers 401 not_authenticated, no-store, when there is no session', async () => {
    expectRefusal(await call('/bff/user', { headers: { 'X-CSRF': '1' } }), 401, NOT_AUTHENTICATED);
  });

  it('answers a forged session cookie (signature of another key) as no session, and deletes the forged signature', async () => {
    const forged = 'bff_session=made-up; bff_session.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const answer = await call('/bff/user', { headers: { 'X-CSRF': '1', Cookie: forged } });
    // koa's signed cookies: a signature that does not verify is removed, so the browser stops sending it.
    expectRefusal(answer, 401, NOT_AUTHENTICATED, { 'set-cookie': 'bff_session.sig=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly' });
  });
});

describe('POST /bff/logout', () => {
  it('without a session: 200 signed out, no-store, and the session cookie and its signature deleted', async () => {
    const answer = await call('/bff/logout', { method: 'POST', headers: { 'X-CSRF': '1' } });
    // The authorization server is down here: the answer carries no logoutUrl, and still signs out here.
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { signedOut: true } });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.getSetCookie().map((cookie) => cookie.replace(/^(bff_session\.sig=)[\w-]+/, '$1<sig>'))).toEqual([
      'bff_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly',
      'bff_session.sig=<sig>; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly',
    ]);
  });
});

describe('GET /bff/login', () => {
  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', 'http:evil.example', '/..//evil.example', '/%2e%2e//evil.example', '/\tpath'])(
    'refuses returnTo=%s with 400 invalid_return_to, before any redirect or cookie',
    async (returnTo) => {
      const answer = await call(`/bff/login?returnTo=${encodeURIComponent(returnTo)}`);
      expectRefusal(answer, 400, { error: 'invalid_return_to', message: 'returnTo must be a path on this site, such as /notes.' });
    },
  );

  it('answers 503 authserver_unavailable, as JSON, when the authorization server is down, and keeps no login attempt', async () => {
    const answer = await call('/bff/login?returnTo=/');
    expectRefusal(answer, 503, {
      error: 'authserver_unavailable',
      message: 'The authorization server cannot be reached. Your session is kept; try again in a moment.',
    });
  });
});

describe('GET /bff/callback', () => {
  // RFC 6749 §10.12, RFC 9700 §4.7: a callback that belongs to no login of this browser is refused
  // before the code goes anywhere; the answer offers a fresh login instead (`startAgain`).
  it('refuses a callback this browser did not start: 400 invalid_state, no Referer onwards, no cache', async () => {
    const answer = await call('/bff/callback?code=stolen&state=guessed&iss=http%3A%2F%2F127.0.0.1%3A4000');
    expectRefusal(
      answer,
      400,
      {
        error: 'invalid_state',
        message: 'This callback does not belong to a login started in this browser (unknown, expired or already used state).',
        startAgain: '/bff/login?returnTo=%2F',
      },
      { 'referrer-policy': 'no-referrer' },
    );
  });

  it('refuses a callback without state: 400 invalid_state', async () => {
    const answer = await call('/bff/callback?code=stolen');
    expectRefusal(
      answer,
      400,
      { error: 'invalid_state', message: 'The callback has no state parameter.', startAgain: '/bff/login?returnTo=%2F' },
      { 'referrer-policy': 'no-referrer' },
    );
  });

  it('refuses an error response that belongs to no login the same way (the error is not relayed)', async () => {
    const answer = await call('/bff/callback?error=access_denied&state=guessed');
    expectRefusal(
      answer,
      400,
      {
        error: 'invalid_state',
        message: 'This callback does not belong to a login started in this browser (unknown, expired or already used state).',
        startAgain: '/bff/login?returnTo=%2F',
      },
      { 'referrer-policy': 'no-referrer' },
    );
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
    expectRefusal(await rawGet(path, csrf), 400, {
      error: 'invalid_api_path',
      message: 'This API path is not allowed: no "..", encoded separators, backslashes or absolute URLs.',
    });
  });

  it.each([
    ['DELETE', '/api/notes', 'DELETE /api/notes'],
    ['GET', '/api/admin', 'GET /api/admin'],
    ['GET', '/api/notes/1', 'GET /api/notes/1'],
  ])('refuses %s %s, not on the list, with 404 api_route_not_allowed', async (method, path, named) => {
    expectRefusal(await call(path, { method, headers: csrf }), 404, { error: 'api_route_not_allowed', message: `The BFF does not forward ${named}.` });
  });

  it('refuses a text/plain body (what a cross-site form sends) with 415', async () => {
    const answer = await call('/api/notes', { method: 'POST', headers: { ...csrf, 'Content-Type': 'text/plain' }, body: '{"text":"x"}' });
    expectRefusal(answer, 415, UNSUPPORTED_MEDIA_TYPE);
  });

  it('refuses broken JSON with 400 invalid_json, not 500', async () => {
    const answer = await call('/api/notes', { method: 'POST', headers: { ...csrf, 'Content-Type': 'application/json' }, body: '{"text":' });
    expectRefusal(answer, 400, { error: 'invalid_json', message: 'The request body is not valid JSON (an object or an array).' });
  });

  it('answers an allowed route without a session with 401 not_authenticated, never a redirect', async () => {
    expectRefusal(await call('/api/notes', { headers: csrf }), 401, NOT_AUTHENTICATED);
  });
});

describe('POST /bff/code (the seed variant)', () => {
  it('does not exist while the lab runs the recommended flow: 404 not_found', async () => {
    const answer = await call('/bff/code', {
      method: 'POST',
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' },
      body: '{"code":"c","state":"s"}',
    });
    expectRefusal(answer, 404, { error: 'not_found', message: 'Nothing at POST /bff/code.' });
  });
});

describe('ANY /api/* body types', () => {
  it('refuses a form-encoded body with 415 instead of forwarding an empty one', async () => {
    const answer = await call('/api/notes', {
      method: 'POST',
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'text=x',
    });
    expectRefusal(answer, 415, UNSUPPORTED_MEDIA_TYPE);
  });
});

describe('POST /api/* with a JSON body nested too deep', () => {
  it.each([
    ['arrays', `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
    ['objects', `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`],
    ['just past the limit', `${'['.repeat(33)}${']'.repeat(33)}`],
  ])('answers 400 json_too_deep for %s, before the session or the API is looked at', async (_shape, body) => {
    const answer = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' }, body });
    expectRefusal(answer, 400, { error: 'json_too_deep', message: 'The JSON body is nested more than 32 levels deep.' });
  });

  it('takes a body nested up to the limit (then asks for a session: 401 not_authenticated)', async () => {
    const body = `${'['.repeat(32)}${']'.repeat(32)}`;
    const answer = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' }, body });
    expectRefusal(answer, 401, NOT_AUTHENTICATED);
  });
});

describe('POST /api/* with a body but no Content-Type', () => {
  it('answers 415 unsupported_media_type, as the resource API does, before the session is looked at', async () => {
    const response = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1' }, body: new Blob(['{"text":"untyped"}']) });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({ error: 'unsupported_media_type', message: 'Send the body as application/json.' });
  });

  it('still takes a POST with no body at all as a call without one (then asks for a session)', async () => {
    const response = await call('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1' } });
    expect(response).toMatchObject({ status: 401, body: { error: 'not_authenticated' } });
  });
});
