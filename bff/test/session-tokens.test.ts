import { afterEach, describe, expect, it } from 'vitest';
import { SessionTokens, needsRefresh } from '../src/session-tokens.ts';
import { MemoryTokenStore } from '../src/token-store.ts';
import { AuthServerUnavailableError, OAuthError, SessionExpiredError } from '../src/errors.ts';
import type { OidcClient } from '../src/oidc-client.ts';
import type { StoredTokens } from '../src/session.ts';

/**
 * An authorization server with refresh-token rotation, as oidc-provider behaves: each refresh
 * token works once; presenting a rotated-out one revokes the whole grant (RFC 9700 §4.14.2).
 */
class RotatingAuthServer {
  current = 'rt-0';
  issued = 0;
  refreshes = 0;
  reuses = 0;
  revoked: string[] = [];
  grantRevoked = false;
  constructor(
    readonly lifetimeMs: number,
    readonly now: () => number,
    readonly delayMs = 2,
  ) {}

  tokens(): StoredTokens {
    this.issued += 1;
    return {
      accessToken: `at-${this.issued}`,
      refreshToken: this.current,
      accessTokenExpiresAt: this.now() + this.lifetimeMs,
      accessTokenLifetimeMs: this.lifetimeMs,
      scope: 'notes:read',
    };
  }

  client(): OidcClient {
    return {
      refresh: async (tokens: StoredTokens) => {
        await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        this.refreshes += 1;
        if (this.grantRevoked) throw new OAuthError('invalid_grant', 'grant request is invalid');
        if (tokens.refreshToken !== this.current) {
          this.reuses += 1;
          this.grantRevoked = true;
          throw new OAuthError('invalid_grant', 'grant request is invalid');
        }
        this.current = `rt-${this.refreshes}`;
        return this.tokens();
      },
      revoke: async (tokens: StoredTokens) => {
        if (tokens.refreshToken) this.revoked.push(tokens.refreshToken);
      },
    } as unknown as OidcClient;
  }
}

const stores: MemoryTokenStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setUp(lifetimeMs: number, now: () => number = Date.now) {
  const server = new RotatingAuthServer(lifetimeMs, now);
  const store = new MemoryTokenStore({ now });
  stores.push(store);
  const tokens = new SessionTokens(server.client(), store, now);
  return { server, store, tokens };
}

describe('SessionTokens: the access token of a session', () => {
  it.each([1, 2, 5, 300])('never sends a rotated-out refresh token: 4 parallel lanes, 40 rounds, access tokens of %i ms', async (lifetimeMs) => {
    const { server, tokens } = setUp(lifetimeMs);
    await tokens.start('sid', server.tokens(), 60_000);
    for (let round = 0; round < 40; round += 1) {
      // Each lane is an API call; some find the token refused by the API and force a refresh.
      const lanes = [0, 1, 2, 3].map(async (lane) => {
        const used = await tokens.fresh('sid');
        if ((round + lane) % 7 === 0) await tokens.refreshAfterRefusal('sid', used);
      });
      await Promise.all(lanes);
      await new Promise((resolve) => setTimeout(resolve, lifetimeMs % 3));
    }
    expect(server.reuses).toBe(0);
    expect(server.grantRevoked).toBe(false);
    expect(await tokens.current('sid')).toMatchObject({ refreshToken: server.current });
  });

  it('refreshes once for all parallel calls that find the token due, and they share the answer', async () => {
    let now = 0;
    const { server, tokens } = setUp(10_000, () => now);
    await tokens.start('sid', server.tokens(), 60_000);
    now = 9_000; // inside the margin (a fifth of 10 s)
    const results = await Promise.all(Array.from({ length: 8 }, () => tokens.fresh('sid')));
    expect(server.refreshes).toBe(1);
    expect(new Set(results.map((result) => result.accessToken))).toEqual(new Set(['at-2']));
  });

  it('refreshes a token the API refused only once, and hands later callers the replacement', async () => {
    const { server, tokens } = setUp(300_000);
    await tokens.start('sid', server.tokens(), 60_000);
    const refused = await tokens.fresh('sid');
    const first = await tokens.refreshAfterRefusal('sid', refused);
    // A call that was refused with the same old token, answered after the refresh ended.
    const late = await tokens.refreshAfterRefusal('sid', refused);
    expect(server.refreshes).toBe(1);
    expect(late.accessToken).toBe(first.accessToken);
  });

  it('ends the session when the refresh token is refused, and does not try it again', async () => {
    const { server, tokens } = setUp(1);
    await tokens.start('sid', server.tokens(), 60_000);
    server.grantRevoked = true;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(tokens.fresh('sid')).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(tokens.fresh('sid')).rejects.toMatchObject({ status: 401, code: 'session_expired' });
    expect(server.refreshes).toBe(1);
    expect(await tokens.current('sid')).toBeUndefined();
  });

  it('keeps the session when the authorization server is away', async () => {
    const store = new MemoryTokenStore();
    stores.push(store);
    const down = {
      refresh: async () => {
        throw new AuthServerUnavailableError();
      },
    } as unknown as OidcClient;
    const tokens = new SessionTokens(down, store);
    const stale: StoredTokens = { accessToken: 'at', refreshToken: 'rt', accessTokenExpiresAt: 0, accessTokenLifetimeMs: 1_000, scope: '' };
    await tokens.start('sid', stale, 60_000);
    await expect(tokens.fresh('sid')).rejects.toMatchObject({ status: 503, code: 'authserver_unavailable' });
    expect(await tokens.current('sid')).toEqual(stale);
  });

  it('does not bring back a session that signed out while its refresh ran, and revokes the new refresh token', async () => {
    const { server, tokens } = setUp(1);
    await tokens.start('sid', server.tokens(), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const refreshing = tokens.fresh('sid');
    await tokens.end('sid', { revoke: false });
    await expect(refreshing).rejects.toMatchObject({ code: 'session_expired' });
    expect(await tokens.current('sid')).toBeUndefined();
    expect(server.revoked).toEqual([server.current]);
  });
});

describe('needsRefresh: the margin is a fifth of the lifetime, at most 5 s', () => {
  const at = (expiresAt: number, lifetimeMs: number): StoredTokens => ({
    accessToken: 'a',
    accessTokenExpiresAt: expiresAt,
    accessTokenLifetimeMs: lifetimeMs,
    scope: '',
  });
  it.each([
    [300_000, 94_999, false],
    [300_000, 95_000, true],
    [5_000, 98_999, false],
    [5_000, 99_000, true],
    [1_000, 99_799, false],
    [1_000, 99_800, true],
  ])('a %i ms token expiring at 100000 is due at %i: %s', (lifetimeMs, now, due) => {
    expect(needsRefresh(at(100_000, lifetimeMs), now)).toBe(due);
  });

  it('never finds a token due the moment it was issued, whatever its lifetime', () => {
    for (const lifetimeMs of [1, 2, 5, 1_000, 5_000, 25_000, 300_000]) expect(needsRefresh(at(1_000 + lifetimeMs, lifetimeMs), 1_000)).toBe(false);
  });
});
