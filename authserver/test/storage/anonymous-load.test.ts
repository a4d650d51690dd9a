import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAuthServer, type RunningAuthServer } from '../support/start-authserver.ts';
import { REDIRECT_URI, authorizationRequest, postToken, signIn, startAnonymousSignIns, type CookieJar } from '../support/sign-in-over-http.ts';

// The load that broke every signed-in user with oidc-provider's development adapter (an LRU of
// about 1,000 entries): 2,500 anonymous sign-ins pushed out their grants, sessions and refresh
// tokens. Prerequisites: the lab's authorization server as `npm start` runs it (default cap:
// 10,000 anonymous entries of each kind); alice and bob signed in before the load.
describe('2,500 anonymous sign-ins started while alice and bob are signed in', () => {
  let server: RunningAuthServer;
  let warnings: string[];
  const signedIn = new Map<string, { jar: CookieJar; refreshToken: string }>();
  let load: Record<number, number>;

  beforeAll(async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    server = await startAuthServer();
    warnings = warn.mock.calls.map((call) => call.join(' '));
    warn.mockRestore();
    for (const user of ['alice', 'bob']) signedIn.set(user, await signIn(server.url, user, user));
    load = await startAnonymousSignIns(server.url, 2_500);
  }, 120_000);
  afterAll(() => server.stop());

  it('starts without the development-adapter warning', () => {
    expect(warnings.filter((warning) => warning.includes('adapter'))).toEqual([]);
  });

  it('sends every one of them to the login page', () => {
    expect(load).toEqual({ 303: 2_500 });
  });

  it('still refreshes the tokens of each signed-in user (RFC 6749 §6)', async () => {
    for (const [user, { refreshToken }] of signedIn) {
      const response = await postToken({ grant_type: 'refresh_token', refresh_token: refreshToken }, server.url);
      expect(response.status, user).toBe(200);
      expect(await response.json(), user).toMatchObject({ token_type: 'DPoP', refresh_token: expect.any(String) });
    }
  });

  it('keeps their single sign-on sessions: /auth sends them straight back with a code', async () => {
    for (const [user, { jar }] of signedIn) {
      const response = await fetch(`${server.url}/auth?${authorizationRequest().query}`, { redirect: 'manual', headers: { cookie: jar.header() } });
      expect(response.status, user).toBe(303);
      expect(response.headers.get('location'), user).toMatch(new RegExp(`^${REDIRECT_URI}\\?code=`));
    }
  });
});
