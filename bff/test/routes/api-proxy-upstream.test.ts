import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBff } from '../support/start-test-bff.ts';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';

// The BFF's authorization server (port 1) and notes API (port 2) are unreachable in these tests.
let bff: Awaited<ReturnType<typeof startTestBff>>;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(async () => {
  await bff.close();
});

async function signedInSession(id: string, accessTokenExpiresAt: number): Promise<string> {
  await bff.store.set(
    id,
    {
      sid: `sid-${id}`,
      signedInAt: Date.now(),
      user: { sub: 'alice', preferred_username: 'alice' },
      _expire: Date.now() + 3_600_000,
      _maxAge: 3_600_000,
    },
    3_600_000,
  );
  await bff.tokenStore.put(
    `sid-${id}`,
    { accessToken: 'at', refreshToken: 'rt', accessTokenExpiresAt, accessTokenLifetimeMs: 600_000, scope: 'notes:read notes:write' },
    3_600_000,
  );
  return signedSessionCookie(id, bff.sessionKey);
}

/** GET /api/notes with the session's cookie: status, body and the headers a JSON caller acts on. */
async function getNotes(cookie: string) {
  const response = await fetch(`${bff.url}/api/notes`, { headers: { 'X-CSRF': '1', Cookie: cookie }, redirect: 'manual' });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    cacheControl: response.headers.get('cache-control'),
    setCookie: response.headers.get('set-cookie'),
    location: response.headers.get('location'),
  };
}

/** A 5xx that keeps the session: no-store, no cookie change, no redirect. */
const KEEPS_SESSION = { cacheControl: 'no-store', setCookie: null, location: null };

describe('ANY /api/* when a party is down', () => {
  it('answers 502 resource_api_unavailable when the notes API is down, and keeps the session', async () => {
    const cookie = await signedInSession('api-down', Date.now() + 600_000);
    expect(await getNotes(cookie)).toEqual({
      status: 502,
      body: { error: 'resource_api_unavailable', message: 'The notes API cannot be reached. Your session is kept; try again in a moment.' },
      ...KEEPS_SESSION,
    });
    expect(await bff.store.get('api-down')).toMatchObject({ user: { sub: 'alice' } });
    const user = await fetch(`${bff.url}/bff/user`, { headers: { 'X-CSRF': '1', Cookie: cookie } });
    expect(user.status).toBe(200);
  });

  it('answers 503 authserver_unavailable when the token must be refreshed and the authorization server is down, and keeps the session', async () => {
    const cookie = await signedInSession('as-down', Date.now() - 1_000);
    expect(await getNotes(cookie)).toEqual({
      status: 503,
      body: { error: 'authserver_unavailable', message: 'The authorization server cannot be reached. Your session is kept; try again in a moment.' },
      ...KEEPS_SESSION,
    });
    expect(await bff.store.get('as-down')).toMatchObject({ user: { sub: 'alice' } });
    expect(await bff.tokenStore.get('sid-as-down')).toMatchObject({ refreshToken: 'rt' });
  });

  it('never answers a JSON caller with a redirect', async () => {
    const response = await fetch(`${bff.url}/api/notes`, { headers: { 'X-CSRF': '1' }, redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
  });
});
