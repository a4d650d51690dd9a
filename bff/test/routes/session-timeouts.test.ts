import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import Keygrip from 'keygrip';
import { startTestRedis, type TestRedis } from '@lab/launcher';
import { startTestBffWith } from '../support/start-test-bff.ts';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';
import { MemorySessionStore, type SessionStore } from '../../src/session-store.ts';
import { MemoryTokenStore, type TokenStore } from '../../src/token-store.ts';
import { createRedisClient, connectRedis } from '../../src/redis/redis-client.ts';
import { RedisSessionStore } from '../../src/redis/redis-session-store.ts';
import { RedisTokenStore } from '../../src/redis/redis-token-store.ts';

// Prerequisites: the real BFF (its authorization server and notes API unreachable: ports 1 and 2),
// with the lab's lifetimes (30 min idle, 8 h absolute), once with its in-memory stores and once with
// a real redis-server. `Date` is faked (only `Date`, as the lab's clock fakes it): the test moves it,
// and with it the BFF's time, as `npm run lab -- time` does; Redis's own TTLs keep running on real
// time. Signed-in sessions are written to the store as a sign-in writes them.

const MIN = 60_000;
const HOUR = 60 * MIN;
const IDLE = 30 * MIN;
const TTL = 8 * HOUR;
const T0 = Date.UTC(2030, 0, 1, 9);

/** A session store that counts its writes. */
class CountingStore implements SessionStore {
  writes = 0;
  constructor(readonly inner: SessionStore) {}
  get(id: string) {
    return this.inner.get(id);
  }
  set(id: string, data: Record<string, unknown>, maxAgeMs: number) {
    this.writes += 1;
    return this.inner.set(id, data, maxAgeMs);
  }
  destroy(id: string) {
    return this.inner.destroy(id);
  }
}

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  client = await createRedisClient(redis.url, { log: () => {} });
  expect(await connectRedis(client, 5_000)).toBe(true);
}, 20_000);
afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});

const STORES: ReadonlyArray<[string, () => { store: SessionStore; tokenStore: TokenStore }]> = [
  ['in memory', () => ({ store: new MemorySessionStore(), tokenStore: new MemoryTokenStore() })],
  ['in Redis', () => ({ store: new RedisSessionStore(client), tokenStore: new RedisTokenStore(client) })],
];

describe.each(STORES)('the BFF session timeouts, stores %s', (name, makeStores) => {
  let bff: Awaited<ReturnType<typeof startTestBffWith<CountingStore, TokenStore>>>;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    if (name === 'in Redis') await client.flushall();
    const { store, tokenStore } = makeStores();
    bff = await startTestBffWith({ store: new CountingStore(store), tokenStore });
  });
  afterEach(async () => {
    await bff.close();
    vi.useRealTimers();
  });

  /** alice's session `id`, as the sign-in writes it at `T0`; its Cookie header. */
  async function signedIn(id: string): Promise<string> {
    await bff.store.inner.set(
      id,
      { sid: `sid-${id}`, signedInAt: T0, idleExpiresAt: T0 + IDLE, user: { sub: 'alice' }, _expire: T0 + TTL, _maxAge: TTL },
      TTL + 10_000,
    );
    await bff.tokenStore.put(
      `sid-${id}`,
      { accessToken: 'at', refreshToken: 'rt', accessTokenExpiresAt: T0 + 100 * HOUR, accessTokenLifetimeMs: 300_000, scope: 'notes:read' },
      TTL,
    );
    return signedSessionCookie(id, bff.sessionKey);
  }

  async function call(path: string, cookie: string) {
    const response = await fetch(`${bff.url}${path}`, { headers: { 'X-CSRF': '1', Cookie: cookie }, redirect: 'manual' });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, setCookie: response.headers.getSetCookie() };
  }

  const at = (ms: number) => vi.setSystemTime(T0 + ms);
  const iso = (ms: number) => new Date(T0 + ms).toISOString();
  /** What the answer of a session that ended by itself clears: the id and its signature, expired in 1970. */
  const CLEARED = [
    'bff_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly',
    `bff_session.sig=${new Keygrip(['k'.repeat(32)]).sign('bff_session=')}; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly`,
  ];

  it('GET /bff/user tells when the session ends: idle deadline and absolute end', async () => {
    const cookie = await signedIn('facts');
    at(10_000);
    const user = await call('/bff/user', cookie);
    expect(user.status).toBe(200);
    expect(user.body.session).toMatchObject({ signedInAt: iso(0), idleExpiresAt: iso(IDLE), absoluteExpiresAt: iso(TTL) });
  });

  it('moves the idle deadline at most once a minute: 20 calls in the first minute write nothing, the next one writes once', async () => {
    const cookie = await signedIn('busy');
    for (let i = 1; i <= 20; i += 1) {
      at(i * 2_900);
      const user = await call('/bff/user', cookie);
      expect([user.status, user.setCookie]).toEqual([200, []]);
    }
    expect(bff.store.writes).toBe(0);
    at(MIN);
    const slid = await call('/bff/user', cookie);
    expect(slid.status).toBe(200);
    expect(slid.body.session).toMatchObject({ idleExpiresAt: iso(MIN + IDLE), absoluteExpiresAt: iso(TTL) });
    expect(bff.store.writes).toBe(1);
    // The cookie is sent again with the record, and it still ends at the absolute end (lab time), not later.
    expect(slid.setCookie.map((line) => line.replace(/=[^;]*;/, '=…;'))).toEqual([
      `bff_session=…; path=/; expires=${new Date(T0 + TTL).toUTCString()}; samesite=lax; httponly`,
      `bff_session.sig=…; path=/; expires=${new Date(T0 + TTL).toUTCString()}; samesite=lax; httponly`,
    ]);
    expect(await bff.store.get('busy')).toMatchObject({ idleExpiresAt: T0 + MIN + IDLE, _expire: T0 + TTL });
  });

  it('ends a session unused for 30 min: 401 session_expired, the cookie cleared, the record and tokens gone; the cookie then opens nothing', async () => {
    const cookie = await signedIn('idle');
    at(IDLE - 1);
    expect((await call('/bff/user', cookie)).status).toBe(200);
    at(IDLE - 1 + IDLE);
    expect(await call('/bff/user', cookie)).toEqual({
      status: 401,
      body: { error: 'session_expired', message: 'Your session has ended: it was not used for 30 min. Sign in again.' },
      setCookie: CLEARED,
    });
    expect(await bff.store.get('idle')).toBeUndefined();
    expect(await bff.tokenStore.get('sid-idle')).toBeUndefined();
    expect(await call('/bff/user', cookie)).toEqual({
      status: 401,
      body: { error: 'not_authenticated', message: 'You are not signed in.' },
      setCookie: [],
    });
  });

  it('ends it at the idle deadline on the lab clock, while Redis (real time) still holds it', async () => {
    const cookie = await signedIn('jump');
    at(IDLE + 1);
    if (name === 'in Redis') expect(await client.pttl('bff:session:jump')).toBeGreaterThan(TTL - MIN);
    const answer = await call('/api/notes', cookie);
    // Refused before any call to the notes API (which is unreachable: that would be a 502).
    expect([answer.status, answer.body.error, answer.setCookie]).toEqual([401, 'session_expired', CLEARED]);
    expect(await bff.tokenStore.get('sid-jump')).toBeUndefined();
  });

  it('ends a busy session 8 h after its sign-in, however recently it was used', async () => {
    const cookie = await signedIn('day');
    for (let t = 25 * MIN; t < TTL; t += 25 * MIN) {
      at(t);
      expect((await call('/bff/user', cookie)).status).toBe(200);
    }
    const last = await call('/bff/user', cookie);
    expect(last.body.session).toMatchObject({ idleExpiresAt: iso(TTL), absoluteExpiresAt: iso(TTL) });
    at(TTL);
    expect(await call('/api/notes', cookie)).toEqual({
      status: 401,
      body: { error: 'session_expired', message: 'Your session has ended: it reached its maximum lifetime of 8 h. Sign in again.' },
      setCookie: CLEARED,
    });
    expect(await bff.store.get('day')).toBeUndefined();
  });

  it('answers parallel calls on a session that just ended 401 each, never a 5xx, and never brings it back', async () => {
    const cookie = await signedIn('race');
    at(IDLE);
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        call(i % 2 === 0 ? '/bff/user' : '/api/notes', cookie).then(({ status, body }) => `${status} ${String(body.error)}`),
      ),
    );
    expect(new Set(answers).size).toBeLessThanOrEqual(2);
    expect(answers).toContain('401 session_expired');
    expect(answers.every((answer) => answer === '401 session_expired' || answer === '401 not_authenticated')).toBe(true);
    expect(await bff.store.get('race')).toBeUndefined();
    expect(await bff.tokenStore.get('sid-race')).toBeUndefined();
    at(IDLE + MIN);
    expect((await call('/bff/user', cookie)).body.error).toBe('not_authenticated');
    expect(await bff.store.get('race')).toBeUndefined();
  });

  it('answers hostile cookies 401 not_authenticated: forged or missing signature, unknown or destroyed id, huge, not a session', async () => {
    await signedIn('real');
    await bff.store.inner.set('pending', { loginAttempts: {}, _expire: T0 + 10 * MIN, _maxAge: 10 * MIN }, 10 * MIN);
    await bff.store.destroy('gone');
    const forged = signedSessionCookie('real', 'not-the-key-'.repeat(3));
    const cookies = [
      forged,
      'bff_session=real',
      signedSessionCookie('unknown', bff.sessionKey),
      signedSessionCookie('gone', bff.sessionKey),
      signedSessionCookie('x'.repeat(6_000), bff.sessionKey),
      signedSessionCookie('pending', bff.sessionKey),
      `${signedSessionCookie('real', bff.sessionKey).replace('bff_session=real', 'bff_session=real%00')}`,
      'bff_session.sig=; bff_session=',
    ];
    at(11 * MIN);
    for (const cookie of cookies) {
      const answer = await call('/bff/user', cookie);
      expect([cookie.slice(0, 40), answer.status, answer.body.error]).toEqual([cookie.slice(0, 40), 401, 'not_authenticated']);
    }
    // The real session was never touched by them.
    expect(await bff.store.get('real')).toMatchObject({ sid: 'sid-real' });
  });
});
