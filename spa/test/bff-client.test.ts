import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BffError, addNote, fetchUser, listNotes, logout } from '../src/bff-client.ts';

// bff-client.ts is plain TypeScript over `fetch`, `location` and `history`: it runs in Node as it
// runs in the page, so these tests need no browser. Where a test claims what the BFF answers (its
// CSRF rule, "401 means signed out"), the page's fetch goes to the real BFF (port 0, its
// authorization server down); where it claims how the client reads an answer the BFF cannot be
// made to give (a proxy's HTML 502, no answer at all, a hostile logoutUrl), the answer is given.

/** What these tests use of the BFF's test harness (bff/test/support). */
interface TestBff {
  readonly url: string;
  readonly sessionKey: string;
  readonly store: { set(id: string, data: Record<string, unknown>, maxAge: number): Promise<void> };
  readonly tokenStore: { put(sid: string, tokens: Record<string, unknown>, ttlMs: number): Promise<void> };
  close(): Promise<void>;
}

// Loaded at run time, by a path the SPA's type-check does not follow: the BFF's sources are
// type-checked by the root tsconfig (Node's types), not by the SPA's (the DOM's).
const BFF_SUPPORT = '../../bff/test/support/';
let bff: TestBff;
let signedSessionCookie: (id: string, key: string) => string;
beforeAll(async () => {
  const harness = (await import(`${BFF_SUPPORT}start-test-bff.ts`)) as { startTestBff(): Promise<TestBff> };
  ({ signedSessionCookie } = (await import(`${BFF_SUPPORT}signed-session-cookie.ts`)) as { signedSessionCookie: typeof signedSessionCookie });
  bff = await harness.startTestBff();
});
afterAll(async () => {
  await bff.close();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const realFetch = globalThis.fetch;

interface SentRequest {
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly credentials?: RequestCredentials;
  readonly body?: string;
}

/** The page at `pageUrl`: its relative requests go to the real BFF, with `cookie` as the browser would send it. */
function pageOnRealBff(pageUrl = 'http://localhost:5173/', cookie?: string): SentRequest[] {
  const sent: SentRequest[] = [];
  vi.stubGlobal('location', new URL(pageUrl));
  vi.stubGlobal('history', { state: null, replaceState: () => undefined });
  vi.stubGlobal('fetch', async (path: string, init: RequestInit = {}) => {
    const headers = { ...(init.headers as Record<string, string>) };
    sent.push({ path, method: init.method ?? 'GET', headers, credentials: init.credentials, body: init.body as string | undefined });
    return realFetch(new URL(path, bff.url), { ...init, headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) } });
  });
  return sent;
}

/** The page, where every call gets `answer` (or fails as a fetch fails: TypeError). */
function pageAnswering(answer: () => Response | Promise<Response>, pageUrl = 'http://localhost:5173/') {
  const replaced: string[] = [];
  const sent: SentRequest[] = [];
  /** What the page did, in order: `history <url>` and `fetch <METHOD> <path>`. */
  const steps: string[] = [];
  vi.stubGlobal('location', new URL(pageUrl));
  vi.stubGlobal('history', {
    state: null,
    replaceState: (_state: unknown, _title: string, next: string) => {
      replaced.push(next);
      steps.push(`history ${next}`);
    },
  });
  vi.stubGlobal('fetch', async (path: string, init: RequestInit = {}) => {
    sent.push({ path, method: init.method ?? 'GET', headers: { ...(init.headers as Record<string, string>) }, body: init.body as string | undefined });
    steps.push(`fetch ${init.method ?? 'GET'} ${path}`);
    return answer();
  });
  return { replaced, sent, steps };
}

async function failureOf(promise: Promise<unknown>): Promise<BffError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BffError) return error;
    throw error;
  }
  throw new Error('expected a BffError, and the call succeeded');
}

const fields = (error: BffError) => ({ status: error.status, code: error.code, message: error.message });

describe('fetchUser (GET /bff/user) against the real BFF', () => {
  it('is null when nobody is signed in (401), and the call passed the CSRF rule (X-CSRF: 1, same-origin credentials)', async () => {
    const sent = pageOnRealBff();
    expect(await fetchUser()).toBeNull();
    expect(sent).toEqual([
      { path: '/bff/user', method: 'GET', headers: { 'X-CSRF': '1', Accept: 'application/json' }, credentials: 'same-origin', body: undefined },
    ]);
  });

  it("returns the signed-in user's claims, and nothing of the tokens", async () => {
    await bff.store.set(
      'alice-session',
      {
        sid: 'sid-alice',
        signedInAt: Date.now(),
        user: { sub: 'alice', name: 'Alice Adams', preferred_username: 'alice' },
        _expire: Date.now() + 3_600_000,
        _maxAge: 3_600_000,
      },
      3_600_000,
    );
    await bff.tokenStore.put(
      'sid-alice',
      { accessToken: 'at', refreshToken: 'rt', accessTokenExpiresAt: Date.now() + 600_000, accessTokenLifetimeMs: 600_000, scope: 'notes:read' },
      3_600_000,
    );
    pageOnRealBff('http://localhost:5173/', signedSessionCookie('alice-session', bff.sessionKey));
    expect(await fetchUser()).toEqual({ sub: 'alice', name: 'Alice Adams', preferred_username: 'alice' });
  });
});

describe('listNotes, addNote and logout against the real BFF', () => {
  it('listNotes without a session: BffError 401 not_authenticated with the BFF’s own message (the panels show the sign-in view)', async () => {
    pageOnRealBff();
    expect(fields(await failureOf(listNotes()))).toEqual({ status: 401, code: 'not_authenticated', message: 'You are not signed in.' });
  });

  it('addNote sends JSON with X-CSRF (the BFF takes it: it answers 401, not 403 or 415)', async () => {
    const sent = pageOnRealBff();
    expect(fields(await failureOf(addNote('hello')))).toEqual({ status: 401, code: 'not_authenticated', message: 'You are not signed in.' });
    expect(sent).toEqual([
      {
        path: '/api/notes',
        method: 'POST',
        headers: { 'X-CSRF': '1', Accept: 'application/json', 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: '{"text":"hello"}',
      },
    ]);
  });

  it('logout while the authorization server is down: signed out here, no logout URL to go to', async () => {
    pageOnRealBff();
    expect(await logout()).toEqual({});
  });
});

describe("how the client reads answers the BFF's error format does not cover", () => {
  it('a JSON error: its status, code and message as they came', async () => {
    pageAnswering(() => Response.json({ error: 'authserver_timeout', message: 'The authorization server did not answer in time.' }, { status: 504 }));
    expect(fields(await failureOf(fetchUser()))).toEqual({
      status: 504,
      code: 'authserver_timeout',
      message: 'The authorization server did not answer in time.',
    });
  });

  it('a JSON error without a message: a sentence naming the call and the status', async () => {
    pageAnswering(() => Response.json({ error: 'too_many_pending_logins' }, { status: 429 }));
    expect(fields(await failureOf(listNotes()))).toEqual({ status: 429, code: 'too_many_pending_logins', message: 'GET /api/notes failed with 429.' });
  });

  it("an HTML error page (a proxy's 502): unexpected_response, with the status and its text", async () => {
    pageAnswering(
      () => new Response('<html><body>Bad Gateway</body></html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }),
    );
    expect(fields(await failureOf(fetchUser()))).toEqual({
      status: 502,
      code: 'unexpected_response',
      message: 'GET /bff/user answered 502 Bad Gateway without a JSON error body.',
    });
  });

  it('an empty error answer: unexpected_response', async () => {
    pageAnswering(() => new Response(null, { status: 500, statusText: 'Internal Server Error' }));
    expect(fields(await failureOf(addNote('x')))).toEqual({
      status: 500,
      code: 'unexpected_response',
      message: 'POST /api/notes answered 500 Internal Server Error without a JSON error body.',
    });
  });

  it('no answer at all (the fetch fails): status 0, network_error', async () => {
    pageAnswering(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(fields(await failureOf(fetchUser()))).toEqual({ status: 0, code: 'network_error', message: 'GET /bff/user got no answer: Failed to fetch' });
  });

  it('a 401 from /bff/user means signed out (null), whatever its body', async () => {
    pageAnswering(() => new Response('', { status: 401 }));
    expect(await fetchUser()).toBeNull();
  });

  it('a 200 from /bff/user without a `sub`: unexpected_response, never a user without an id', async () => {
    pageAnswering(() => Response.json({ claims: { name: 'Nobody' } }));
    expect(fields(await failureOf(fetchUser()))).toEqual({
      status: 200,
      code: 'unexpected_response',
      message: 'GET /bff/user answered without a `sub` claim.',
    });
  });

  it('claims at the top level are accepted too', async () => {
    pageAnswering(() => Response.json({ sub: 'bob', name: 'Bob Brown' }));
    expect(await fetchUser()).toEqual({ sub: 'bob', name: 'Bob Brown' });
  });
});

describe('logout: where the browser is sent next', () => {
  it.each([
    ['javascript:alert(document.cookie)', 'javascript:'],
    ['data:text/html,<script>alert(1)</script>', 'data:'],
    ['JAVASCRIPT:alert(1)', 'javascript:'],
  ])('never navigates to %s: unexpected_response', async (logoutUrl, protocol) => {
    pageAnswering(() => Response.json({ signedOut: true, logoutUrl }));
    expect(fields(await failureOf(logout()))).toEqual({
      status: 200,
      code: 'unexpected_response',
      message: `POST /bff/logout answered a logoutUrl that is not http(s): ${protocol}`,
    });
  });

  it('resolves a relative logoutUrl against the page, and keeps an absolute http(s) one', async () => {
    pageAnswering(() => Response.json({ signedOut: true, logoutUrl: '/signed-out?x=1' }), 'http://localhost:5173/notes');
    expect(await logout()).toEqual({ logoutUrl: 'http://localhost:5173/signed-out?x=1' });
    pageAnswering(() => Response.json({ signedOut: true, logoutUrl: 'http://127.0.0.1:4000/session/end?client_id=bff' }));
    expect(await logout()).toEqual({ logoutUrl: 'http://127.0.0.1:4000/session/end?client_id=bff' });
  });

  it('no logoutUrl, an empty one or not a string: nowhere to go', async () => {
    for (const body of [{ signedOut: true }, { signedOut: true, logoutUrl: '' }, { signedOut: true, logoutUrl: 42 }]) {
      pageAnswering(() => Response.json(body));
      expect(await logout()).toEqual({});
    }
  });
});

describe('the seed variant: the code handed over from the /callback page', () => {
  it('takes the code out of the address bar before anything else, posts it to /bff/code, then goes to returnTo', async () => {
    const answers = [Response.json({ signedIn: true, returnTo: '/notes' }), Response.json({ claims: { sub: 'alice' } })];
    const { steps, sent } = pageAnswering(() => answers.shift()!, 'http://localhost:5173/callback?code=c0de&state=st4te&iss=http%3A%2F%2F127.0.0.1%3A4000');
    expect(await fetchUser()).toEqual({ sub: 'alice' });
    expect(steps).toEqual(['history /', 'fetch POST /bff/code', 'history /notes', 'fetch GET /bff/user']);
    expect(sent.map(({ method, path, body }) => [method, path, body])).toEqual([
      ['POST', '/bff/code', JSON.stringify({ code: 'c0de', state: 'st4te', iss: 'http://127.0.0.1:4000' })],
      ['GET', '/bff/user', undefined],
    ]);
  });

  it('a refused hand-over is the BFF’s error, and the code is out of the address bar anyway', async () => {
    const { replaced } = pageAnswering(
      () => Response.json({ error: 'invalid_state', message: 'Not a login of this browser.', startAgain: '/bff/login?returnTo=%2F' }, { status: 400 }),
      'http://localhost:5173/callback?code=c0de&state=x',
    );
    expect(fields(await failureOf(fetchUser()))).toEqual({ status: 400, code: 'invalid_state', message: 'Not a login of this browser.' });
    expect(replaced).toEqual(['/']);
  });
});
