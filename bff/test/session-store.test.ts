import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../src/session-store.ts';

describe('MemorySessionStore', () => {
  it('returns a copy, so a request cannot change the stored session without saving it', async () => {
    const store = new MemorySessionStore();
    await store.set('id', { user: { sub: 'alice' } }, 60_000);
    const copy = (await store.get('id')) as { user: { sub: string } };
    copy.user.sub = 'mallory';
    expect(await store.get('id')).toEqual({ user: { sub: 'alice' } });
  });

  it('forgets a session after its max age and on destroy', async () => {
    let now = 1_000;
    const store = new MemorySessionStore(() => now);
    await store.set('a', { n: 1 }, 500);
    await store.set('b', { n: 2 }, 5_000);
    now = 1_600;
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toEqual({ n: 2 });
    await store.destroy('b');
    expect(await store.get('b')).toBeUndefined();
  });
});
