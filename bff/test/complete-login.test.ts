import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefenceSwitches, type DefenceName } from '@lab/shared';
import { CookieJar } from '../../authserver/test/support/sign-in-over-http.ts';
import { startTestBff } from './support/start-test-bff.ts';
import { signInAtAuthServer, startAuthServerAsIssuer, type IssuerAuthServer } from './support/sign-in-at-authserver.ts';
import { startFrozenServer } from './support/frozen-server.ts';

// Prerequisites: the lab's real authorization server on a free port that is its issuer's, and the
// real BFF configured for it (same client secret, same topology), both on port 0. A "browser" is a
// cookie jar for the BFF; at the authorization server it signs in and consents over HTTP. What is
// under test is the end of a login (complete-login.ts) as GET /bff/callback runs it: which login
// the callback belongs to, that it is spent once, the new session, and what a refusal answers.

interface Lab {
  readonly authserver: IssuerAuthServer;
  readonly bff: Awaited<ReturnType<typeof startTestBff>>;
  close(): Promise<void>;
}

/** Both parties, with `weakened` switched off in each (as the lab's LAB_WEAKEN does). */
async function startLab(weakened: DefenceName[] = []): Promise<Lab> {
  // The notes API is not running; its port only names the resource both parties agree on (RFC 8707).
  const authserver = await startAuthServerAsIssuer({ API_PORT: '4001' }, { defences: new DefenceSwitches(weakened) });
  const bff = await startTestBff(weakened, authserver.env);
  return {
    authserver,
    bff,
    close: async () => {
      await bff.close();
      await authserver.stop();
    },
  };
}

/** One browser's requests to the BFF, with its cookies; redirects are returned, not followed. */
class Browser {
  readonly jar: CookieJar;
  constructor(readonly bffUrl: string) {
    this.jar = new CookieJar(bffUrl);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.bffUrl}${path}`, { redirect: 'manual', headers: { ...headers, cookie: this.jar.header() } });
    return this.jar.keep(response);
  }

  /** GET /bff/user as the SPA calls it: the status, and the user's `sub` when signed in. */
  async whoAmI(): Promise<{ status: number; sub?: string }> {
    const response = await this.get('/bff/user', { 'X-CSRF': '1' });
    const body = (await response.json()) as { claims?: { sub?: string } };
    return { status: response.status, sub: body.claims?.sub };
  }

  /** Step 1: the app's "Sign in" (GET /bff/login); step 2: the user at the authorization server. Returns the callback's path and query. */
  async signInUpToCallback(returnTo = '/notes', username = 'alice', edit: (authorizationUrl: URL) => void = () => undefined): Promise<string> {
    const login = await this.get(`/bff/login?returnTo=${encodeURIComponent(returnTo)}`);
    await login.arrayBuffer();
    if (login.status !== 302) throw new Error(`GET /bff/login answered ${login.status}`);
    const authorizationUrl = new URL(login.headers.get('location')!);
    edit(authorizationUrl);
    const callback = await signInAtAuthServer(authorizationUrl, username);
    return `${callback.pathname}${callback.search}`;
  }
}

/** The session cookie pair of a `Set-Cookie` answer, the id and the signature hidden. */
function sessionCookies(response: Response): string[] {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.replace(/^(bff_session(?:\.sig)?=)[^;]+/, '$1<value>').replace(/expires=[^;]+/, 'expires=<date>'));
}

function cookieExpiry(response: Response): number {
  const expires = /expires=([^;]+)/.exec(response.headers.getSetCookie()[0] ?? '')?.[1];
  return expires ? Date.parse(expires) : Number.NaN;
}

async function errorOf(response: Response) {
  return {
    status: response.status,
    body: (await response.json()) as unknown,
    cacheControl: response.headers.get('cache-control'),
    referrerPolicy: response.headers.get('referrer-policy'),
    location: response.headers.get('location'),
  };
}

const SEEN = { cacheControl: 'no-store', referrerPolicy: 'no-referrer', location: null };
const SPENT_OR_UNKNOWN = 'This callback does not belong to a login started in this browser (unknown, expired or already used state).';

describe('GET /bff/callback after a real sign-in (completeLogin)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('signs the browser in: 302 to returnTo, no Referer onwards, and a new session id in an HttpOnly, SameSite=Lax cookie', async () => {
    const browser = new Browser(lab.bff.url);

    // Step 1: the login starts a short session that holds only the login attempt.
    const login = await browser.get('/bff/login?returnTo=%2Fnotes');
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(new RegExp(`^${lab.authserver.url}/auth\\?`));
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(sessionCookies(login)).toEqual([
      'bff_session=<value>; path=/; expires=<date>; samesite=lax; httponly',
      'bff_session.sig=<value>; path=/; expires=<date>; samesite=lax; httponly',
    ]);
    // As long as a login may take (10 min), not a signed-in session's 8 h.
    expect(cookieExpiry(login) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(cookieExpiry(login) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const preLogin = browser.jar.header();

    // Step 2: alice signs in and consents at the authorization server.
    const callback = await signInAtAuthServer(login.headers.get('location')!, 'alice');
    expect(`${callback.origin}${callback.pathname}`).toBe('http://localhost:5173/bff/callback');

    // Step 3: the browser lands on the callback: a bare redirect to where it was going.
    const landed = await browser.get(`${callback.pathname}${callback.search}`);
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/notes');
    expect(landed.headers.get('referrer-policy')).toBe('no-referrer');
    expect(landed.headers.get('cache-control')).toBe('no-store');
    expect(sessionCookies(landed)).toEqual([
      'bff_session=<value>; path=/; expires=<date>; samesite=lax; httponly',
      'bff_session.sig=<value>; path=/; expires=<date>; samesite=lax; httponly',
    ]);
    expect(cookieExpiry(landed) - Date.now()).toBeGreaterThan(8 * 3600_000 - 60_000);
    expect(browser.jar.header()).not.toBe(preLogin);
    expect(await browser.whoAmI()).toEqual({ status: 200, sub: 'alice' });

    // Session fixation (OWASP): whoever knew the pre-login cookie has nothing now.
    const fixated = await fetch(`${lab.bff.url}/bff/user`, { headers: { 'X-CSRF': '1', cookie: preLogin } });
    expect(fixated.status).toBe(401);
    // The session's tokens stay in the BFF: a token store entry for it, and nothing in the cookie.
    expect(browser.jar.header()).not.toMatch(/eyJ/);
  });

  it('spends the login: the same callback again is 400 invalid_state, and the browser stays signed in', async () => {
    const browser = new Browser(lab.bff.url);
    const callback = await browser.signInUpToCallback('/notes');
    expect((await browser.get(callback)).status).toBe(302);
    const again = await browser.get(callback);
    expect(await errorOf(again)).toEqual({
      status: 400,
      body: { error: 'invalid_state', message: SPENT_OR_UNKNOWN, startAgain: '/bff/login?returnTo=%2F' },
      ...SEEN,
    });
    expect(await browser.whoAmI()).toEqual({ status: 200, sub: 'alice' });
  });

  it('lets one of two simultaneous callbacks with the same state through, never both (a replay racing the real one)', async () => {
    const browser = new Browser(lab.bff.url);
    const callback = await browser.signInUpToCallback('/');
    const cookie = browser.jar.header();
    const both = await Promise.all([0, 1].map(() => fetch(`${lab.bff.url}${callback}`, { redirect: 'manual', headers: { cookie } })));
    const answers = await Promise.all(both.map(async (response) => (response.status === 302 ? 302 : ((await response.json()) as { error: string }).error)));
    // The loser is refused by the BFF before its code reaches the token endpoint: a second
    // redemption there would be a replay, and oidc-provider would revoke the winner's grant.
    expect(answers.sort()).toEqual([302, 'invalid_state']);
  });

  it("refuses alice's callback in another browser (the code injected elsewhere): 400 invalid_state; alice's own browser still finishes", async () => {
    const alice = new Browser(lab.bff.url);
    const callback = await alice.signInUpToCallback('/notes');
    const mallory = new Browser(lab.bff.url);
    const stolen = await mallory.get(callback);
    expect(await errorOf(stolen)).toEqual({
      status: 400,
      body: { error: 'invalid_state', message: SPENT_OR_UNKNOWN, startAgain: '/bff/login?returnTo=%2F' },
      ...SEEN,
    });
    expect(await mallory.whoAmI()).toEqual({ status: 401, sub: undefined });
    expect((await alice.get(callback)).status).toBe(302);
    expect(await alice.whoAmI()).toEqual({ status: 200, sub: 'alice' });
  });

  it('refuses a callback whose iss was changed (mix-up, RFC 9207): 400 invalid_issuer with the way back, and the login is spent', async () => {
    const browser = new Browser(lab.bff.url);
    const callback = await browser.signInUpToCallback('/notes');
    const tampered = new URL(callback, 'http://localhost:5173');
    tampered.searchParams.set('iss', 'http://[::1]:6660');
    const refused = await errorOf(await browser.get(`${tampered.pathname}${tampered.search}`));
    expect(refused).toEqual({
      status: 400,
      body: {
        error: 'invalid_issuer',
        message: expect.stringMatching(/^The authorization response was not issued by the authorization server this login went to \(RFC 9207\): /),
        startAgain: '/bff/login?returnTo=%2Fnotes',
      },
      ...SEEN,
    });
    expect(await browser.whoAmI()).toEqual({ status: 401, sub: undefined });
    // The attempt was spent by the refused callback: the genuine one cannot finish it now.
    expect((await errorOf(await browser.get(callback))).body).toMatchObject({ error: 'invalid_state' });
  });

  it('relays the authorization server’s refusal (error=access_denied with this login’s state) as 400 access_denied, with the way back', async () => {
    const browser = new Browser(lab.bff.url);
    const login = await browser.get('/bff/login?returnTo=%2Fnotes');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const denied = new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state, iss: lab.authserver.url });
    expect(await errorOf(await browser.get(`/bff/callback?${denied}`))).toEqual({
      status: 400,
      body: { error: 'access_denied', message: 'The authorization server said: End-User aborted interaction', startAgain: '/bff/login?returnTo=%2Fnotes' },
      ...SEEN,
    });
  });
});

describe('GET /bff/callback when the authorization server fails at that moment', () => {
  it('answers 503 authserver_unavailable with the way back, and gives the login back: the same callback works once the server is up', async () => {
    const lab = await startLab();
    try {
      const browser = new Browser(lab.bff.url);
      const callback = await browser.signInUpToCallback('/notes');
      await lab.authserver.goDown();
      expect(await errorOf(await browser.get(callback))).toEqual({
        status: 503,
        body: {
          error: 'authserver_unavailable',
          message: 'The authorization server cannot be reached. Your session is kept; try again in a moment.',
          startAgain: '/bff/login?returnTo=%2Fnotes',
        },
        ...SEEN,
      });
      await lab.authserver.comeBack();
      const reloaded = await browser.get(callback);
      expect([reloaded.status, reloaded.headers.get('location')]).toEqual([302, '/notes']);
      expect(await browser.whoAmI()).toEqual({ status: 200, sub: 'alice' });
    } finally {
      await lab.close();
    }
  });

  it('answers 504 authserver_timeout within about 5 s when the token endpoint never answers, and gives the login back', async () => {
    const lab = await startLab();
    try {
      const browser = new Browser(lab.bff.url);
      const callback = await browser.signInUpToCallback('/notes');
      await lab.authserver.goDown();
      // The client must see its kept-alive connection closed before the port is taken over.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const frozen = await startFrozenServer(Number(new URL(lab.authserver.url).port));
      const startedAt = Date.now();
      const answer = await errorOf(await browser.get(callback));
      const elapsed = Date.now() - startedAt;
      await frozen.close();
      expect(answer).toEqual({
        status: 504,
        body: {
          error: 'authserver_timeout',
          message: 'The authorization server did not answer in time. Your session is kept; try again in a moment.',
          startAgain: '/bff/login?returnTo=%2Fnotes',
        },
        ...SEEN,
      });
      expect(elapsed).toBeGreaterThanOrEqual(4_900);
      expect(elapsed).toBeLessThan(7_000);

      await lab.authserver.comeBack();
      const reloaded = await browser.get(callback);
      expect([reloaded.status, reloaded.headers.get('location')]).toEqual([302, '/notes']);
    } finally {
      await lab.close();
    }
  });
});

describe('GET /bff/callback with a defence weakened', () => {
  it('session-regeneration off: the signed-in session keeps the pre-login id (what session fixation needs)', async () => {
    const lab = await startLab(['session-regeneration']);
    try {
      const browser = new Browser(lab.bff.url);
      const callback = await browser.signInUpToCallback('/');
      const preLogin = browser.jar.header();
      expect((await browser.get(callback)).status).toBe(302);
      const fixated = await fetch(`${lab.bff.url}/bff/user`, { headers: { 'X-CSRF': '1', cookie: preLogin } });
      expect(fixated.status).toBe(200);
    } finally {
      await lab.close();
    }
  });

  // RFC 9700 §4.5: authorization code injection. mallory signs in as herself (without the nonce,
  // which would tie the ID token to her own attempt) and hands her callback, her code, to alice's
  // browser, which never started a login: alice would then work in mallory's account.
  const withoutNonce = (url: URL) => url.searchParams.delete('nonce');
  it('state off, PKCE on: the injected code is still refused, 400 invalid_grant (the verifier is not this browser’s)', async () => {
    const lab = await startLab(['state']);
    try {
      const mallory = new Browser(lab.bff.url);
      const callback = await mallory.signInUpToCallback('/', 'mallory', withoutNonce);
      const alice = new Browser(lab.bff.url);
      const refused = await errorOf(await alice.get(callback));
      expect(refused).toEqual({
        status: 400,
        body: { error: 'invalid_grant', message: expect.stringMatching(/^The authorization server said: /), startAgain: '/bff/login?returnTo=%2F' },
        ...SEEN,
      });
      expect(await alice.whoAmI()).toEqual({ status: 401, sub: undefined });
    } finally {
      await lab.close();
    }
  });

  it('state and PKCE off: the injected code signs alice’s browser in as mallory', async () => {
    const lab = await startLab(['state', 'pkce']);
    try {
      const mallory = new Browser(lab.bff.url);
      const callback = await mallory.signInUpToCallback('/', 'mallory', withoutNonce);
      const alice = new Browser(lab.bff.url);
      expect((await alice.get(callback)).status).toBe(302);
      expect(await alice.whoAmI()).toEqual({ status: 200, sub: 'mallory' });
    } finally {
      await lab.close();
    }
  });
});
