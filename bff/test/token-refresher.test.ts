import { describe, expect, it } from 'vitest';
import { TokenRefresher, needsRefresh } from '../src/token-refresher.ts';
import type { OidcClient } from '../src/oidc-client.ts';
import type { StoredTokens } from '../src/session.ts';

const tokens: StoredTokens = { accessToken: 'at-1', refreshToken: 'rt-1', accessTokenExpiresAt: 0, scope: 'notes:read' };

describe('TokenRefresher', () => {
  it('refreshes once when several API calls of one session find the token expired together', async () => {
    let calls = 0;
    let finish!: (value: StoredTokens) => void;
    const oidc = {
      refresh: () => {
        calls++;
        return new Promise<StoredTokens>((resolve) => (finish = resolve));
      },
    } as unknown as OidcClient;
    const refresher = new TokenRefresher(oidc);
    const waiting = [1, 2, 3, 4, 5].map(() => refresher.refresh('session-1', tokens));
    finish({ ...tokens, accessToken: 'at-2', refreshToken: 'rt-2' });
    const results = await Promise.all(waiting);
    expect(calls).toBe(1);
    expect(new Set(results.map((result) => result.refreshToken))).toEqual(new Set(['rt-2']));
  });

  it('refreshes each session on its own, and again after the previous refresh ended', async () => {
    let calls = 0;
    const oidc = { refresh: async (current: StoredTokens) => ({ ...current, accessToken: `at-${++calls}` }) } as unknown as OidcClient;
    const refresher = new TokenRefresher(oidc);
    const [a] = await Promise.all([refresher.refresh('a', tokens), refresher.refresh('b', tokens)]);
    await refresher.refresh('a', { ...a, refreshToken: 'rt-a-2' });
    expect(calls).toBe(3);
  });

  it('gives a request that still holds the rotated-out refresh token the new tokens, without a second refresh', async () => {
    let calls = 0;
    const oidc = {
      refresh: async () => ({ ...tokens, accessToken: 'at-2', refreshToken: `rt-${++calls + 1}`, accessTokenExpiresAt: Date.now() + 60_000 }),
    } as unknown as OidcClient;
    const refresher = new TokenRefresher(oidc);
    const first = await refresher.refresh('session-1', tokens);
    // This request loaded the session before `first` was saved: it still carries rt-1.
    const late = await refresher.refresh('session-1', tokens);
    expect(calls).toBe(1);
    expect(late).toEqual(first);
  });

  it('refreshes again when the remembered tokens have expired too (refresh tokens not rotated, short lifetimes)', async () => {
    let calls = 0;
    const oidc = { refresh: async () => ({ ...tokens, accessToken: `at-${++calls}`, accessTokenExpiresAt: Date.now() + 1_000 }) } as unknown as OidcClient;
    const refresher = new TokenRefresher(oidc);
    await refresher.refresh('session-1', tokens);
    await refresher.refresh('session-1', tokens);
    expect(calls).toBe(2);
  });
});

describe('needsRefresh', () => {
  it('refreshes 5 s before the access token expires, not after', () => {
    expect(needsRefresh({ ...tokens, accessTokenExpiresAt: 100_000 }, 94_000)).toBe(false);
    expect(needsRefresh({ ...tokens, accessTokenExpiresAt: 100_000 }, 95_000)).toBe(true);
  });
});
