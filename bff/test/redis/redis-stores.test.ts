import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '@lab/launcher';
import { createRedisClient, connectRedis } from '../../src/redis/redis-client.ts';
import { RedisSessionStore } from '../../src/redis/redis-session-store.ts';
import { RedisTokenStore } from '../../src/redis/redis-token-store.ts';
import { RedisRefreshLock } from '../../src/redis/redis-refresh-lock.ts';
import { RedisLoginClaims } from '../../src/redis/redis-login-claims.ts';
import { SessionTokens } from '../../src/session-tokens.ts';
import { OAuthError } from '../../src/errors.ts';
import type { OidcClient } from '../../src/oidc-client.ts';
import type { StoredTokens } from '../../src/session.ts';

/** The BFF's stores against a real redis-server of this file's own (no mock in the path). */
let redis: TestRedis;
let client: Redis;
const quiet = () => {};

beforeAll(async () => {
  redis = await startTestRedis();
  client = await createRedisClient(redis.url, { commandTimeoutMs: 300, log: quiet });
  expect(await connectRedis(client, 5_000)).toBe(true);
}, 20_000);
afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});
beforeEach(async () => {
  await client.flushall();
});

const tokens = (accessToken: string, refreshToken: string): StoredTokens => ({
  accessToken,
  refreshToken,
  accessTokenExpiresAt: Date.now() - 1, // due for a refresh
  accessTokenLifetimeMs: 60_000,
  scope: 'notes:read',
});

describe('RedisSessionStore', () => {
  it('keeps a session with the lifetime koa-session gives it, set in Redis itself (PX)', async () => {
    const store = new RedisSessionStore(client);
    await store.set('abc', { sid: 's-1' }, 60_000);
    expect(await store.get('abc')).toEqual({ sid: 's-1' });
    const ttl = await client.pttl('bff:session:abc');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('never writes back a destroyed session (a parallel request ending after the logout)', async () => {
    const store = new RedisSessionStore(client);
    await store.set('abc', { sid: 's-1' }, 60_000);
    await store.destroy('abc');
    await store.set('abc', { sid: 's-1' }, 60_000);
    expect(await store.get('abc')).toBeUndefined();
    expect(await client.pttl('bff:session-destroyed:abc')).toBeGreaterThan(0);
  });

  it('lists the live sessions by SCAN for the lab breach route', async () => {
    const store = new RedisSessionStore(client);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.set(`id-${i}`, { n: i }, 60_000)));
    expect((await store.list()).map(({ id }) => id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `id-${i}`).sort());
  });
});

describe('RedisTokenStore', () => {
  it('replaces tokens only if they are still the ones the refresh started from, keeping their expiry', async () => {
    const store = new RedisTokenStore(client);
    const first = tokens('at-1', 'rt-1');
    await store.put('sid', first, 30_000);
    expect(await store.replace('sid', first, tokens('at-2', 'rt-2'))).toBe(true);
    // The loser of a race holds the old tokens: it must not write its (rotated-out) refresh token back.
    expect(await store.replace('sid', first, tokens('at-3', 'rt-3'))).toBe(false);
    expect((await store.get('sid'))?.refreshToken).toBe('rt-2');
    expect(await client.pttl('bff:tokens:sid')).toBeGreaterThan(29_000);
    await store.delete('sid');
    expect(await store.replace('sid', tokens('at-2', 'rt-2'), tokens('at-4', 'rt-4'))).toBe(false);
  });
});

describe("Redis's TTL runs on real time; the BFF's stores judge expiry on Date (the lab's clock)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a session and its tokens end at their max age on the lab clock, while Redis still holds them: get, list and replace all say gone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const sessions = new RedisSessionStore(client);
    const held = new RedisTokenStore(client);
    await sessions.set('abc', { sid: 's-1' }, 60_000);
    await held.put('s-1', tokens('at-1', 'rt-1'), 60_000);
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 59_999);
    expect([await sessions.get('abc'), (await held.get('s-1'))?.accessToken]).toEqual([{ sid: 's-1' }, 'at-1']);
    // "One minute later" in the lab: a jump of the clock, no real time passes.
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 60_000);
    expect(await sessions.get('abc')).toBeUndefined();
    expect(await sessions.list()).toEqual([]);
    expect(await held.get('s-1')).toBeUndefined();
    expect(await held.list()).toEqual([]);
    expect(await held.replace('s-1', tokens('at-1', 'rt-1'), tokens('at-2', 'rt-2'))).toBe(false);
    // Redis frees them later, by its own (real) clock.
    expect(await client.pttl('bff:session:abc')).toBeGreaterThan(50_000);
    expect(await client.pttl('bff:tokens:s-1')).toBeGreaterThan(50_000);
  });
});

describe('the refresh lock and the login claims (SET NX PX, compare-and-delete)', () => {
  it('lets exactly one of many callers hold the lock, and frees it only for its holder', async () => {
    const lock = new RedisRefreshLock(client, 5_000);
    const got = await Promise.all(Array.from({ length: 20 }, () => lock.tryAcquire('sid')));
    const holders = got.filter((release) => release !== undefined);
    expect(holders).toHaveLength(1);
    await client.set('bff:refresh-lock:other', 'someone-else');
    const mine = await lock.tryAcquire('sid2');
    await mine!();
    expect(await client.exists('bff:refresh-lock:sid2')).toBe(0);
    await holders[0]!();
    expect(await client.exists('bff:refresh-lock:sid')).toBe(0);
  });

  it('spends a login state once across instances', async () => {
    const a = new RedisLoginClaims(client);
    const b = new RedisLoginClaims(client);
    expect((await Promise.all([a.claim('state-1', 60_000), b.claim('state-1', 60_000)])).sort()).toEqual([false, true]);
    await a.release('state-1');
    expect(await b.claim('state-1', 60_000)).toBe(true);
  });
});

/** An authorization server with rotation: a refresh token works once; its reuse revokes the grant (RFC 9700 §4.14.2). */
function rotatingServer() {
  const server = { current: 'rt-0', refreshes: 0, reuses: 0 };
  const oidc = {
    refresh: async (held: StoredTokens) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      server.refreshes += 1;
      if (held.refreshToken !== server.current) {
        server.reuses += 1;
        throw new OAuthError('invalid_grant', 'grant request is invalid');
      }
      server.current = `rt-${server.refreshes}`;
      return { ...tokens(`at-${server.refreshes}`, server.current), accessTokenExpiresAt: Date.now() + 60_000 };
    },
    revoke: async () => {},
  } as unknown as OidcClient;
  return { server, oidc };
}

describe('refresh across BFF instances (two SessionTokens sharing Redis)', () => {
  it('parallel calls of one session on two instances: exactly one refresh, no rotated-out token sent, everyone gets the new token', async () => {
    const { server, oidc } = rotatingServer();
    const store = new RedisTokenStore(client);
    await store.put('sid', tokens('at-0', 'rt-0'), 60_000);
    const instances = [1, 2].map(() => new SessionTokens(oidc, new RedisTokenStore(client), Date.now, new RedisRefreshLock(client, 5_000)));
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => instances[i % 2]!.fresh('sid')));
    expect(server).toEqual({ current: 'rt-1', refreshes: 1, reuses: 0 });
    expect(new Set(results.map((result) => result.accessToken))).toEqual(new Set(['at-1']));
  });

  it('without the shared lock the same race sends a rotated-out token (the weakened twin)', async () => {
    const { server, oidc } = rotatingServer();
    const store = new RedisTokenStore(client);
    await store.put('sid', tokens('at-0', 'rt-0'), 60_000);
    const instances = [1, 2].map(() => new SessionTokens(oidc, new RedisTokenStore(client)));
    await Promise.allSettled(Array.from({ length: 16 }, (_, i) => instances[i % 2]!.fresh('sid')));
    expect(server.reuses).toBeGreaterThan(0);
  });
});

describe('Redis down or frozen: a clear 503, never a hang', () => {
  it('frozen (SIGSTOP): each call fails within the command timeout with session_store_unavailable; thawed: the data is there', async () => {
    const store = new RedisSessionStore(client);
    await store.set('kept', { sid: 'x' }, 60_000);
    redis.signal('SIGSTOP');
    try {
      const started = Date.now();
      const error = await store.get('kept').catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ status: 503, code: 'session_store_unavailable' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      redis.signal('SIGCONT');
    }
    await expect.poll(() => store.get('kept').catch(() => 'down'), { timeout: 5_000 }).toEqual({ sid: 'x' });
  });

  it('stopped: calls fail at once with 503; started again: the stored session is back (append-only file)', async () => {
    const store = new RedisSessionStore(client);
    await store.set('kept', { sid: 'y' }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // appendfsync everysec
    await redis.stop();
    const started = Date.now();
    await expect(store.get('kept')).rejects.toMatchObject({ status: 503, code: 'session_store_unavailable' });
    expect(Date.now() - started).toBeLessThan(1_500);
    await redis.start();
    await expect.poll(() => store.get('kept').catch(() => 'down'), { timeout: 5_000 }).toEqual({ sid: 'y' });
  });
});
