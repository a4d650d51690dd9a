import { describe, expect, it } from 'vitest';
import { ConfigError } from '@lab/shared';
import { SessionLifetimes, describeDuration, type TimedSession } from '../src/session-lifetimes.ts';
import { loadConfig } from '../src/config.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The lab's defaults: 30 min idle, 8 h absolute. */
const lifetimes = new SessionLifetimes(30 * 60, 8 * 3600);
const T0 = Date.UTC(2030, 0, 1, 9);
const signedIn = () => ({ sid: 's', ...lifetimes.start(T0) });

describe('SessionLifetimes: when a signed-in session ends', () => {
  it('starts both clocks at the sign-in: idle at +30 min, absolute at +8 h; moves the idle deadline at most once a minute', () => {
    expect(signedIn()).toEqual({ sid: 's', signedInAt: T0, idleExpiresAt: T0 + 30 * MIN });
    expect(lifetimes.slideEveryMs).toBe(MIN);
    expect(lifetimes.absoluteEndOf(signedIn())).toBe(T0 + 8 * HOUR);
  });

  it('ends a session unused for the idle timeout, at its deadline exactly, not a millisecond before', () => {
    expect(lifetimes.endingOf(signedIn(), T0 + 30 * MIN - 1)).toBeUndefined();
    expect(lifetimes.endingOf(signedIn(), T0 + 30 * MIN)).toBe('idle');
  });

  it('ends a session at its absolute end however recently it was used', () => {
    const busy = { ...signedIn(), idleExpiresAt: T0 + 8 * HOUR + 25 * MIN };
    expect(lifetimes.endingOf(busy, T0 + 8 * HOUR - 1)).toBeUndefined();
    expect(lifetimes.endingOf(busy, T0 + 8 * HOUR)).toBe('absolute');
    // When it ends unless used: never past the absolute end.
    expect(lifetimes.idleEndOf(busy)).toBe(T0 + 8 * HOUR);
  });

  it('moves the idle deadline when the last move is a minute old, not before: one store write a minute at most', () => {
    const session = signedIn();
    expect(lifetimes.slide(session, T0 + MIN - 1)).toBe(false);
    expect(session.idleExpiresAt).toBe(T0 + 30 * MIN);
    expect(lifetimes.slide(session, T0 + MIN)).toBe(true);
    expect(session.idleExpiresAt).toBe(T0 + 31 * MIN);
    expect(lifetimes.slide(session, T0 + 2 * MIN - 1)).toBe(false);
  });

  it('keeps that bound in the last half hour before the absolute end (the capped deadline does not count as "due")', () => {
    const session = { ...signedIn(), idleExpiresAt: T0 + 8 * HOUR + 10 * MIN };
    const now = T0 + 7 * HOUR + 40 * MIN + 30_000;
    expect(lifetimes.slide(session, now)).toBe(false);
    expect(lifetimes.slide(session, T0 + 7 * HOUR + 41 * MIN)).toBe(true);
  });

  it('never moves the deadline of a session that has ended: a slow request cannot bring it back', () => {
    const idle = signedIn();
    expect(lifetimes.slide(idle, T0 + 30 * MIN)).toBe(false);
    expect(idle.idleExpiresAt).toBe(T0 + 30 * MIN);
    const old = { ...signedIn(), idleExpiresAt: T0 + 9 * HOUR };
    expect(lifetimes.slide(old, T0 + 8 * HOUR)).toBe(false);
  });

  it('gives koa-session the time left until the absolute end as the max age, at least 1 ms', () => {
    expect(lifetimes.maxAgeAt(signedIn(), T0 + HOUR)).toBe(7 * HOUR);
    expect(lifetimes.maxAgeAt(signedIn(), T0 + 9 * HOUR)).toBe(1);
  });

  it('reads a record written without idleExpiresAt as idle since its sign-in', () => {
    const old = { sid: 's', signedInAt: T0 };
    expect(lifetimes.idleEndOf(old)).toBe(T0 + 30 * MIN);
    expect(lifetimes.endingOf(old, T0 + 30 * MIN)).toBe('idle');
  });

  it('takes a signed-in record it cannot date for ended; a login in progress is not its business', () => {
    for (const signedInAt of [undefined, 'yesterday', Number.NaN, Number.POSITIVE_INFINITY, null, {}]) {
      expect(lifetimes.endingOf({ sid: 's', signedInAt }, T0)).toBe('absolute');
    }
    expect(lifetimes.endingOf({ sid: 's', signedInAt: T0, idleExpiresAt: 'later' }, T0 + 30 * MIN)).toBe('idle');
    expect(lifetimes.endingOf({ loginAttempts: {} } as TimedSession, T0 + 100 * HOUR)).toBeUndefined();
    expect(lifetimes.endingOf({ sid: 42, signedInAt: 0 }, T0)).toBeUndefined();
  });

  it('has no idle timeout longer than the absolute lifetime', () => {
    const short = new SessionLifetimes(1800, 600);
    expect({ idleMs: short.idleMs, absoluteMs: short.absoluteMs, slideEveryMs: short.slideEveryMs }).toEqual({
      idleMs: 600_000,
      absoluteMs: 600_000,
      slideEveryMs: 60_000,
    });
    // A short idle timeout slides more often than once a minute: a tenth of it.
    expect(new SessionLifetimes(60, 600).slideEveryMs).toBe(6_000);
  });

  it('says why, for people', () => {
    expect(lifetimes.describe('idle')).toBe('it was not used for 30 min');
    expect(lifetimes.describe('absolute')).toBe('it reached its maximum lifetime of 8 h');
    expect([describeDuration(90_000), describeDuration(5_400_000), describeDuration(0)]).toEqual(['1 min 30 s', '1 h 30 min', '0 s']);
  });
});

describe('BFF_SESSION_IDLE', () => {
  const env = { BFF_CLIENT_SECRET: 'x'.repeat(32), BFF_SESSION_KEYS: 'k'.repeat(32) };

  it('is 30 min unless set', () => {
    expect(loadConfig(env).sessionIdleSeconds).toBe(1800);
    expect(loadConfig({ ...env, BFF_SESSION_IDLE: '900' }).sessionIdleSeconds).toBe(900);
  });

  it('refuses anything but a whole number of seconds from 60 to 604800, naming the variable', () => {
    for (const value of ['59', '604801', '1.5', '-60', 'abc', '1e3x']) {
      expect(() => loadConfig({ ...env, BFF_SESSION_IDLE: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...env, BFF_SESSION_IDLE: value })).toThrow(/BFF_SESSION_IDLE/);
    }
  });
});
