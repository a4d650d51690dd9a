import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { MemoryStorage } from '../../src/storage/memory-storage.ts';
import { AnonymousEntriesFull } from '../../src/storage/anonymous-entries.ts';

// Prerequisites: the storage on a fake clock (Date and the sweep's timer), with a cap of 3
// anonymous entries per kind and a sweep every 10 s, and one adapter per model, as
// oidc-provider asks for them. The payloads are shaped like the provider's.
const NOW = Date.UTC(2025, 0, 1);
let storage: MemoryStorage;
let adapter: (model: string) => Adapter;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  storage = new MemoryStorage({ maxAnonymousEntries: 3, purgeIntervalMs: 10_000 });
  adapter = (model) => storage.adapter(model);
});
afterEach(() => {
  storage.close();
  vi.useRealTimers();
});

const token = (grantId: string, extra: AdapterPayload = {}): AdapterPayload => ({
  kind: 'RefreshToken',
  accountId: 'alice',
  clientId: 'bff',
  grantId,
  ...extra,
});
const pendingSignIn = (n: number): AdapterPayload => ({ kind: 'Interaction', returnTo: `/auth/i${n}`, params: { client_id: 'bff' } });

describe('keeping entries until their own expiry', () => {
  it('finds an entry until it expires, and not from then on', async () => {
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    vi.advanceTimersByTime(59_999);
    expect(await adapter('Session').find('s1')).toEqual({ kind: 'Session', uid: 'u1', accountId: 'alice' });
    vi.advanceTimersByTime(1);
    expect(await adapter('Session').find('s1')).toBeUndefined();
  });

  it('keeps an entry stored without a lifetime', async () => {
    await adapter('Client').upsert('c1', { client_id: 'c1' });
    vi.setSystemTime(NOW + 365 * 86_400_000);
    storage.purgeExpired();
    expect(await adapter('Client').find('c1')).toEqual({ client_id: 'c1' });
  });

  it('hands out copies: changing what was found changes nothing stored', async () => {
    await adapter('Grant').upsert('g1', { kind: 'Grant', accountId: 'alice', openid: { scope: 'openid' } }, 60);
    const found = (await adapter('Grant').find('g1')) as { openid: { scope: string } };
    found.openid.scope = 'openid email';
    expect(await adapter('Grant').find('g1')).toEqual({ kind: 'Grant', accountId: 'alice', openid: { scope: 'openid' } });
  });

  it('keeps models apart: the same id under another model is another entry', async () => {
    await adapter('AccessToken').upsert('same', { kind: 'AccessToken' }, 60);
    expect(await adapter('RefreshToken').find('same')).toBeUndefined();
  });

  it('keeps thousands of signed-in users whatever else is stored (no eviction)', async () => {
    for (let i = 0; i < 5_000; i++) await adapter('RefreshToken').upsert(`rt${i}`, token(`g${i}`), 3600);
    for (let i = 0; i < 5_000; i++) await adapter('Interaction').upsert(`i${i}`, { kind: 'Interaction', session: { accountId: 'alice' } }, 600);
    expect(await adapter('RefreshToken').find('rt0')).toEqual(token('g0'));
    expect(storage.stats()).toEqual({ entries: 10_000, grantsWithTokens: 5_000, anonymous: {} });
  });
});

describe('consume', () => {
  it('marks a code as used (epoch seconds) and still finds it, so its reuse is seen', async () => {
    await adapter('AuthorizationCode').upsert('code1', token('g1', { kind: 'AuthorizationCode' }), 60);
    vi.advanceTimersByTime(5_000);
    await adapter('AuthorizationCode').consume('code1');
    expect(await adapter('AuthorizationCode').find('code1')).toEqual({ ...token('g1', { kind: 'AuthorizationCode' }), consumed: NOW / 1000 + 5 });
  });

  it('does nothing for an id it does not hold', async () => {
    await expect(adapter('RefreshToken').consume('nobody')).resolves.toBeUndefined();
    expect(await adapter('RefreshToken').find('nobody')).toBeUndefined();
  });
});

describe('destroy', () => {
  it('removes the entry and its lookup by uid', async () => {
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    await adapter('Session').destroy('s1');
    expect(await adapter('Session').find('s1')).toBeUndefined();
    expect(await adapter('Session').findByUid('u1')).toBeUndefined();
    expect(storage.stats().entries).toBe(0);
  });
});

describe('findByUid', () => {
  it('finds a Session by its uid, which outlives its id (a new id at each sign-in)', async () => {
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1' }, 60);
    // oidc-provider's order at sign-in: the old id goes, the same uid comes back under a new id.
    await adapter('Session').destroy('s1');
    await adapter('Session').upsert('s2', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    expect(await adapter('Session').findByUid('u1')).toEqual({ kind: 'Session', uid: 'u1', accountId: 'alice' });
  });

  it('keeps the lookup of the newer entry when an older one with the same uid is destroyed after it', async () => {
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1' }, 60);
    await adapter('Session').upsert('s2', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    await adapter('Session').destroy('s1');
    expect(await adapter('Session').findByUid('u1')).toMatchObject({ accountId: 'alice' });
  });

  it('finds nothing for an unknown or expired uid', async () => {
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 60);
    expect(await adapter('Session').findByUid('u2')).toBeUndefined();
    vi.advanceTimersByTime(60_000);
    expect(await adapter('Session').findByUid('u1')).toBeUndefined();
  });
});

describe('findByUserCode', () => {
  it('finds a DeviceCode by the code the user types (RFC 8628 §3.3), until it expires', async () => {
    await adapter('DeviceCode').upsert('dc1', { kind: 'DeviceCode', userCode: 'WDJB-MJHT', grantId: 'g1' }, 300);
    expect(await adapter('DeviceCode').findByUserCode('WDJB-MJHT')).toEqual({ kind: 'DeviceCode', userCode: 'WDJB-MJHT', grantId: 'g1' });
    expect(await adapter('DeviceCode').findByUserCode('XXXX-XXXX')).toBeUndefined();
    vi.advanceTimersByTime(300_000);
    expect(await adapter('DeviceCode').findByUserCode('WDJB-MJHT')).toBeUndefined();
  });
});

describe('revokeByGrantId', () => {
  it("removes every token and code of the grant, whichever model's adapter is asked", async () => {
    await adapter('Grant').upsert('g1', { kind: 'Grant', accountId: 'alice' }, 3600);
    await adapter('AuthorizationCode').upsert('code1', token('g1', { kind: 'AuthorizationCode' }), 60);
    await adapter('AccessToken').upsert('at1', token('g1', { kind: 'AccessToken' }), 300);
    await adapter('RefreshToken').upsert('rt1', token('g1'), 3600);
    await adapter('RefreshToken').upsert('rt2', token('g1'), 3600);
    await adapter('RefreshToken').upsert('bob-rt', token('g2', { accountId: 'bob' }), 3600);

    await adapter('RefreshToken').revokeByGrantId('g1');

    for (const [model, id] of [
      ['AuthorizationCode', 'code1'],
      ['AccessToken', 'at1'],
      ['RefreshToken', 'rt1'],
      ['RefreshToken', 'rt2'],
    ] as const) {
      expect(await adapter(model).find(id), `${model} ${id}`).toBeUndefined();
    }
    // Another grant's tokens stay; the Grant itself is oidc-provider's to destroy (revokeGrantPolicy).
    expect(await adapter('RefreshToken').find('bob-rt')).toEqual(token('g2', { accountId: 'bob' }));
    expect(await adapter('Grant').find('g1')).toEqual({ kind: 'Grant', accountId: 'alice' });
    expect(storage.stats()).toEqual({ entries: 2, grantsWithTokens: 1, anonymous: {} });
  });

  it('leaves alone an Interaction that names the grant (its consent step goes on)', async () => {
    await adapter('Interaction').upsert('i1', { kind: 'Interaction', grantId: 'g1', session: { accountId: 'alice' } }, 600);
    await adapter('AccessToken').revokeByGrantId('g1');
    expect(await adapter('Interaction').find('i1')).toMatchObject({ grantId: 'g1' });
  });

  it('does nothing for a grant with no tokens', async () => {
    await expect(adapter('AccessToken').revokeByGrantId('nothing')).resolves.toBeUndefined();
  });
});

describe('the sweep of expired entries', () => {
  it('removes them from memory every purgeIntervalMs, without anyone reading them', async () => {
    await adapter('AccessToken').upsert('at1', token('g1', { kind: 'AccessToken' }), 5);
    await adapter('Interaction').upsert('i1', pendingSignIn(1), 5);
    await adapter('RefreshToken').upsert('rt1', token('g1'), 3600);
    vi.advanceTimersByTime(9_999);
    expect(storage.stats()).toEqual({ entries: 3, grantsWithTokens: 1, anonymous: { Interaction: 1 } });
    vi.advanceTimersByTime(1);
    expect(storage.stats()).toEqual({ entries: 1, grantsWithTokens: 1, anonymous: {} });
  });

  it('empties the grant lookups when the last token of a grant expires', async () => {
    await adapter('AccessToken').upsert('at1', token('g1', { kind: 'AccessToken' }), 5);
    vi.advanceTimersByTime(10_000);
    expect(storage.stats()).toEqual({ entries: 0, grantsWithTokens: 0, anonymous: {} });
  });

  it('can be run by hand and says how many it removed', async () => {
    await adapter('AccessToken').upsert('at1', token('g1', { kind: 'AccessToken' }), 1);
    await adapter('AccessToken').upsert('at2', token('g1', { kind: 'AccessToken' }), 100);
    vi.setSystemTime(NOW + 2_000);
    expect(storage.purgeExpired()).toBe(1);
  });
});

describe('the cap on what anonymous callers can create', () => {
  it('refuses a 4th pending sign-in with 429 temporarily_unavailable and how long until the oldest expires', async () => {
    for (let n = 1; n <= 3; n++) {
      await adapter('Interaction').upsert(`i${n}`, pendingSignIn(n), 600);
      vi.advanceTimersByTime(1_000);
    }
    const refused = await adapter('Interaction')
      .upsert('i4', pendingSignIn(4), 600)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AnonymousEntriesFull);
    expect(refused).toMatchObject({
      status: 429,
      error: 'temporarily_unavailable',
      error_description: 'Too many sign-ins are in progress at the Authorization Server (its limit is 3): try again in 597 seconds.',
      retryAfterSeconds: 597,
      allow_redirect: false,
      expose: true,
    });
    expect(await adapter('Interaction').find('i4')).toBeUndefined();
  });

  it('lets a pending sign-in at the cap go on (an update is never refused)', async () => {
    for (let n = 1; n <= 3; n++) await adapter('Interaction').upsert(`i${n}`, pendingSignIn(n), 600);
    await adapter('Interaction').upsert('i2', { ...pendingSignIn(2), result: { login: { accountId: 'alice' } } }, 600);
    expect(await adapter('Interaction').find('i2')).toMatchObject({ result: { login: { accountId: 'alice' } } });
  });

  it('never counts nor refuses what belongs to a signed-in user', async () => {
    for (let n = 1; n <= 3; n++) await adapter('Interaction').upsert(`i${n}`, pendingSignIn(n), 600);
    for (let n = 1; n <= 3; n++) await adapter('Session').upsert(`anon${n}`, { kind: 'Session', uid: `au${n}`, state: {} }, 28_800);
    await adapter('Interaction').upsert('consent', { kind: 'Interaction', session: { accountId: 'alice', uid: 'u1' } }, 600);
    await adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'alice' }, 28_800);
    await adapter('Grant').upsert('g1', { kind: 'Grant', accountId: 'alice' }, 28_800);
    await adapter('RefreshToken').upsert('rt1', token('g1'), 28_800);
    expect(storage.stats()).toEqual({ entries: 10, grantsWithTokens: 1, anonymous: { Interaction: 3, Session: 3 } });
  });

  it('caps each kind on its own: sign-out pages at the cap do not block sign-ins', async () => {
    for (let n = 1; n <= 3; n++) await adapter('Session').upsert(`anon${n}`, { kind: 'Session', uid: `au${n}`, state: {} }, 28_800);
    await expect(adapter('Session').upsert('anon4', { kind: 'Session', uid: 'au4', state: {} }, 28_800)).rejects.toThrow(AnonymousEntriesFull);
    await expect(adapter('Interaction').upsert('i1', pendingSignIn(1), 600)).resolves.toBeUndefined();
    await expect(adapter('PushedAuthorizationRequest').upsert('par1', { kind: 'PushedAuthorizationRequest' }, 60)).resolves.toBeUndefined();
  });

  it('makes room as soon as the oldest expires, before any sweep', async () => {
    for (let n = 1; n <= 3; n++) {
      await adapter('Interaction').upsert(`i${n}`, pendingSignIn(n), 600);
      vi.advanceTimersByTime(1_000);
    }
    vi.setSystemTime(NOW + 600_000);
    await expect(adapter('Interaction').upsert('i4', pendingSignIn(4), 600)).resolves.toBeUndefined();
    expect(storage.stats().anonymous).toEqual({ Interaction: 3 });
    expect(await adapter('Interaction').find('i1')).toBeUndefined();
  });

  it('frees a slot when a pending sign-in ends, and when a session gets its user', async () => {
    for (let n = 1; n <= 3; n++) await adapter('Interaction').upsert(`i${n}`, pendingSignIn(n), 600);
    await adapter('Interaction').destroy('i1');
    await expect(adapter('Interaction').upsert('i4', pendingSignIn(4), 600)).resolves.toBeUndefined();

    for (let n = 1; n <= 3; n++) await adapter('Session').upsert(`anon${n}`, { kind: 'Session', uid: `au${n}`, state: {} }, 28_800);
    await adapter('Session').upsert('anon1', { kind: 'Session', uid: 'au1', accountId: 'alice' }, 28_800);
    await expect(adapter('Session').upsert('anon4', { kind: 'Session', uid: 'au4', state: {} }, 28_800)).resolves.toBeUndefined();
  });

  it('refuses a nonsensical cap or sweep interval when built', () => {
    expect(() => new MemoryStorage({ maxAnonymousEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryStorage({ maxAnonymousEntries: 1.5 })).toThrow(RangeError);
    expect(() => new MemoryStorage({ maxAnonymousEntries: 1, purgeIntervalMs: 0 })).toThrow(RangeError);
  });
});
