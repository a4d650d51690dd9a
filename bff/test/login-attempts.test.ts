import { describe, expect, it } from 'vitest';
import { LoginAttempts } from '../src/login-attempts.ts';
import type { BffSession, LoginAttempt } from '../src/session.ts';

const attempt = (startedAt: number): LoginAttempt => ({ returnTo: '/', startedAt });

describe('LoginAttempts: the login attempt from start to end', () => {
  it('keeps the newest few attempts of one browser (several tabs) and forgets the oldest', async () => {
    let now = 0;
    const attempts = new LoginAttempts({ perSession: 3 }, () => now);
    const session: BffSession = {};
    for (const state of ['s1', 's2', 's3', 's4']) {
      now += 1;
      attempts.add(session, state, attempt(now));
    }
    expect(Object.keys(session.loginAttempts ?? {}).sort()).toEqual(['s2', 's3', 's4']);
    // The dropped one is spent for good, even in a copy of the session that still holds it.
    expect(await attempts.claim('s1')).toBe(false);
    expect(await attempts.claim('s4')).toBe(true);
  });

  it('gives an anonymous session the lifetime of a login, not of a signed-in session', () => {
    const attempts = new LoginAttempts({ lifetimeMs: 600_000 });
    const session: BffSession & { maxAge?: number } = {};
    attempts.add(session, 's', attempt(Date.now()));
    expect(session.maxAge).toBe(600_000);
  });

  it('refuses new logins with 429 too_many_pending_logins once the BFF holds its total, and takes them again as old ones expire', () => {
    let now = 0;
    const attempts = new LoginAttempts({ total: 100, lifetimeMs: 1_000 }, () => now);
    for (let i = 0; i < 100; i += 1) attempts.add({}, `anon-${i}`, attempt(now));
    expect(() => attempts.add({}, 'one-too-many', attempt(now))).toThrow(
      expect.objectContaining({ status: 429, code: 'too_many_pending_logins', headers: { 'Retry-After': '1' } }),
    );
    now = 1_000;
    expect(() => attempts.add({}, 'later', attempt(now))).not.toThrow();
  });

  it('lets exactly one of two callbacks with the same state use the attempt (a replay racing the real one)', async () => {
    const attempts = new LoginAttempts();
    const session: BffSession = {};
    attempts.add(session, 'state-1', attempt(Date.now()));
    const copyA = structuredClone(session);
    const copyB = structuredClone(session);
    const found = await Promise.all([copyA, copyB].map(async (copy) => attempts.find(copy, 'state-1') !== undefined && (await attempts.claim('state-1'))));
    expect(found.sort()).toEqual([false, true]);
  });

  it('finds no attempt after its lifetime, and gives a claimed one back only while it lives', async () => {
    let now = 0;
    const attempts = new LoginAttempts({ lifetimeMs: 1_000 }, () => now);
    const session: BffSession = {};
    attempts.add(session, 's', attempt(0));
    expect(await attempts.claim('s')).toBe(true);
    await attempts.release('s', attempt(0));
    expect(await attempts.claim('s')).toBe(true);
    now = 1_000;
    await attempts.release('s', attempt(0));
    expect(await attempts.claim('s')).toBe(false);
    expect(attempts.find(session, 's')).toBeUndefined();
  });
});
