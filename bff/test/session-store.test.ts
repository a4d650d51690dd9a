import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../src/session-store.ts';
import { MemoryTokenStore } from '../src/token-store.ts';
import type { StoredTokens } from '../src/session.ts';

const closers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const store of closers.splice(0)) store.close();
});

function sessionStore(options: ConstructorParameters<typeof MemorySessionStore>[0] = {}) {
  const store = new MemorySessionStore(options);
  closers.push(store);
  return store;
}

describe('MemorySessionStore', () => {
  it('returns a copy, so a request cannot change the stored session without saving it', async () => {
    const store = sessionStore();
    await store.set('id', { user: { sub: 'alice' } }, 60_000);
    const copy = (await store.get('id')) as { user: { sub: string } };
    copy.user.sub = 'mallory';
    expect(await store.get('id')).toEqual({ user: { sub: 'alice' } });
  });

  it('forgets a session after its max age and on destroy', async () => {
    let now = 1_000;
    const store = sessionStore({ now: () => now });
    await store.set('a', { n: 1 }, 500);
    await store.set('b', { n: 2 }, 5_000);
    now = 1_600;
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toEqual({ n: 2 });
    await store.destroy('b');
    expect(await store.get('b')).toBeUndefined();
  });

  it('never writes a destroyed session back (a parallel request that loaded it before the logout ends after it)', async () => {
    const store = sessionStore();
    await store.set('s', { sid: 'x', user: { sub: 'alice' } }, 60_000);
    const loadedBeforeLogout = await store.get('s');
    await store.destroy('s');
    await store.set('s', loadedBeforeLogout!, 60_000);
    expect(await store.get('s')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('removes expired sessions by itself, without their ids being read again', async () => {
    let now = 0;
    const store = sessionStore({ now: () => now, sweepEveryMs: 20 });
    for (let i = 0; i < 1_000; i += 1) await store.set(`anon-${i}`, { loginAttempts: {} }, 100);
    await store.set('live', { n: 1 }, 60_000);
    now = 200;
    await new Promise((resolve) => setTimeout(resolve, 60));
    // What is left in memory: only the live one (list() reads what the sweep kept).
    expect((await store.list()).map(({ id }) => id)).toEqual(['live']);
  });
});

describe('MemoryTokenStore', () => {
  const t = (n: number): StoredTokens => ({
    accessToken: `at-${n}`,
    refreshToken: `rt-${n}`,
    accessTokenExpiresAt: 0,
    accessTokenLifetimeMs: 1_000,
    scope: '',
  });

  it('replaces tokens only if they are still the ones refreshed from, and keeps their expiry', async () => {
    let now = 0;
    const store = new MemoryTokenStore({ now: () => now });
    closers.push(store);
    await store.put('sid', t(1), 10_000);
    expect(await store.replace('sid', t(0), t(2))).toBe(false);
    expect(await store.replace('sid', t(1), t(2))).toBe(true);
    expect(await store.get('sid')).toEqual(t(2));
    now = 10_000;
    expect(await store.get('sid')).toBeUndefined();
  });

  it('does not bring back the tokens of a session that ended while a refresh ran', async () => {
    const store = new MemoryTokenStore();
    closers.push(store);
    await store.put('sid', t(1), 10_000);
    await store.delete('sid');
    expect(await store.replace('sid', t(1), t(2))).toBe(false);
    expect(await store.get('sid')).toBeUndefined();
  });
});
