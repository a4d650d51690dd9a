import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import type { AdapterPayload } from 'oidc-provider';
import { startTestRedis, type TestRedis } from '@lab/launcher';
import { RedisStorage } from '../../src/storage/redis-storage.ts';
import { connectStorage, createStorageConnection } from '../../src/storage/redis-connection.ts';
import { AnonymousEntriesFull } from '../../src/storage/anonymous-entries.ts';

// Prerequisites: a real redis-server of this file's own, the storage with a cap of 3 anonymous
// entries per kind, and payloads shaped like oidc-provider's.
let redis: TestRedis;
let client: Redis;
let storage: RedisStorage;

beforeAll(async () => {
  redis = await startTestRedis();
  client = await createStorageConnection(redis.url, () => {});
  expect(await connectStorage(client, 5_000)).toBe(true);
  storage = new RedisStorage(client, { maxAnonymousEntries: 3 });
}, 20_000);
afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});
beforeEach(async () => {
  await client.flushall();
});

const adapter = (model: string) => storage.adapter(model);
const token = (grantId: string, extra: AdapterPayload = {}): AdapterPayload => ({
  kind: 'RefreshToken',
  accountId: 'alice',
  clientId: 'bff',
  grantId,
  ...extra,
});
const pendingSignIn = (n: number): AdapterPayload => ({ kind: 'Interaction', returnTo: `/auth/i${n}`, params: { client_id: 'bff' } });

describe("RedisStorage: expiry on this process's Date (the lab's clock), Redis's TTL as the backstop", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands out nothing past its lifetime on the lab clock, though Redis (real time) still holds it; counts what ended in a jump', async () => {
    const t0 = Date.UTC(2030, 0, 1);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    await adapter('RefreshToken').upsert('rt1', token('g1'), 600);
    await adapter('RefreshToken').upsert('rt2', token('g1'), 600);
    await adapter('RefreshToken').consume('rt2');
    vi.setSystemTime(t0 + 59_999);
    expect(await adapter('Session').find('s1')).toMatchObject({ accountId: 'alice' });
    vi.setSystemTime(t0 + 60_000);
    expect(await adapter('Session').find('s1')).toBeUndefined();
    expect(await adapter('Session').findByUid('u1')).toBeUndefined();
    expect(await adapter('RefreshToken').find('rt1')).toMatchObject({ grantId: 'g1' });
    expect(await client.ttl('op:Session:s1')).toBeGreaterThan(50);
    // As the in-memory storage counts them: entries, not the indexes beside them; a consumed one is not "expiring".
    expect(await storage.expiringBetween(t0, t0 + 600_000)).toEqual({ Session: 1, RefreshToken: 1 });
    expect(await storage.expiringBetween(t0, t0 + 59_999)).toEqual({});
  });
});

describe('RedisStorage: entries', () => {
  it('finds an entry, by id and by uid, with the lifetime oidc-provider gave it (Redis TTL)', async () => {
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    expect(await adapter('Session').find('s1')).toEqual({ kind: 'Session', uid: 'u1', accountId: 'alice' });
    expect(await adapter('Session').findByUid('u1')).toEqual({ kind: 'Session', uid: 'u1', accountId: 'alice' });
    const ttl = await client.ttl('op:Session:s1');
    expect(ttl).toBeGreaterThan(58);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await adapter('Session').find('other')).toBeUndefined();
  });

  it('marks a code consumed (its reuse is then seen), and never creates a consumed mark for a missing one', async () => {
    await adapter('AuthorizationCode').upsert('c1', token('g1', { kind: 'AuthorizationCode' }), 60);
    await adapter('AuthorizationCode').consume('c1');
    expect(await adapter('AuthorizationCode').find('c1')).toMatchObject({ grantId: 'g1', consumed: expect.any(Number) });
    await adapter('AuthorizationCode').consume('missing');
    expect(await client.exists('op:AuthorizationCode:missing')).toBe(0);
  });

  it('revokes everything issued under a grant, across models, and nothing of another grant', async () => {
    await adapter('RefreshToken').upsert('rt1', token('g1'), 600);
    await adapter('AccessToken').upsert('at1', token('g1', { kind: 'AccessToken' }), 60);
    await adapter('RefreshToken').upsert('rt2', token('g2'), 600);
    expect(await client.ttl('op:grant:g1')).toBeGreaterThan(590);
    await adapter('RefreshToken').revokeByGrantId('g1');
    expect(await adapter('RefreshToken').find('rt1')).toBeUndefined();
    expect(await adapter('AccessToken').find('at1')).toBeUndefined();
    expect(await adapter('RefreshToken').find('rt2')).toMatchObject({ grantId: 'g2' });
  });

  it('destroys an entry', async () => {
    await adapter('Grant').upsert('g1', { kind: 'Grant', accountId: 'alice' }, 60);
    await adapter('Grant').destroy('g1');
    expect(await adapter('Grant').find('g1')).toBeUndefined();
  });
});

describe('RedisStorage: what anonymous callers can make it keep is capped, as in memory', () => {
  it('refuses a fourth pending sign-in with 429 and Retry-After, lets an update of a counted one through, and never refuses a signed-in entry', async () => {
    for (const n of [1, 2, 3]) await adapter('Interaction').upsert(`i${n}`, pendingSignIn(n), 600);
    const refused = await adapter('Interaction')
      .upsert('i4', pendingSignIn(4), 600)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AnonymousEntriesFull);
    expect(refused).toMatchObject({ status: 429, error: 'temporarily_unavailable', retryAfterSeconds: expect.any(Number) });
    expect((refused as AnonymousEntriesFull).retryAfterSeconds).toBeGreaterThan(590);
    await expect(adapter('Interaction').upsert('i2', pendingSignIn(2), 600)).resolves.toBeUndefined();
    // Alice signs in: her Session has an account, so it is not counted, whatever the cap.
    for (const n of [1, 2, 3]) await adapter('Session').upsert(`anon${n}`, { kind: 'Session', uid: `a${n}` }, 600);
    await expect(adapter('Session').upsert('alice', { kind: 'Session', uid: 'alice', accountId: 'alice' }, 600)).resolves.toBeUndefined();
    // One that signs in leaves the count, which makes room.
    await adapter('Session').upsert('anon1', { kind: 'Session', uid: 'a1', accountId: 'bob' }, 600);
    await expect(adapter('Session').upsert('anon4', { kind: 'Session', uid: 'a4' }, 600)).resolves.toBeUndefined();
  });
});

describe('RedisStorage: Redis down', () => {
  it('answers 503 temporarily_unavailable within a second or so (never a 500, never a hang), and finds everything again once Redis is back', async () => {
    await adapter('Grant').upsert('g1', { kind: 'Grant', accountId: 'alice' }, 600);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // appendfsync everysec
    await redis.stop();
    try {
      const started = Date.now();
      await expect(adapter('Grant').find('g1')).rejects.toMatchObject({ status: 503, error: 'temporarily_unavailable' });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await redis.start();
    }
    await expect
      .poll(
        () =>
          adapter('Grant')
            .find('g1')
            .catch(() => 'down'),
        { timeout: 5_000 },
      )
      .toEqual({ kind: 'Grant', accountId: 'alice' });
  });
});
