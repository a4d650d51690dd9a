import type { BffSession, LoginAttempt } from './session.ts';
import { ExpiringMap } from './expiring-map.ts';
import { TooManyPendingLoginsError } from './errors.ts';

export interface LoginAttemptLimits {
  /** How long a login may take, from /bff/login to the callback. */
  readonly lifetimeMs: number;
  /** Unfinished logins kept per browser session (several tabs); the oldest go first. */
  readonly perSession: number;
  /** Unfinished logins in this BFF altogether: what anonymous callers can make it hold. */
  readonly total: number;
}

/**
 * Spends each login's `state` once across every BFF instance (LAB_BFF_INSTANCES): the login may
 * start on one instance and its callback land on another, which never saw it start.
 */
export interface SharedLoginClaims {
  /** True for exactly one caller per `state`, whichever instance it runs on. */
  claim(state: string, lifetimeMs: number): Promise<boolean>;
  /** Makes the `state` claimable again (the exchange never reached the authorization server). */
  release(state: string): Promise<void>;
}

export const DEFAULT_LOGIN_LIMITS: LoginAttemptLimits = { lifetimeMs: 10 * 60 * 1000, perSession: 3, total: 10_000 };

/**
 * The login attempt, from start to end: create it (fresh `state`, kept server-side in the
 * browser's session), cap how many may be pending, let it expire, and spend it exactly once.
 *
 * Anyone can start a login without credentials, so everything here is bounded: a session that
 * only holds attempts lives as long as a login may take, each session keeps a few, and the BFF
 * as a whole refuses new ones (429) past `total` instead of growing without end.
 *
 * The browser's session is a copy per request, so two callbacks with the same `state` arriving
 * together would both find the attempt in their copy: `claim` decides which one may use it,
 * atomically, in this process.
 */
export class LoginAttempts {
  readonly #limits: LoginAttemptLimits;
  /** Every attempt not spent yet, by `state`. */
  readonly #pending: ExpiringMap<true>;
  readonly #now: () => number;
  readonly #shared: SharedLoginClaims | undefined;

  constructor(limits: Partial<LoginAttemptLimits> = {}, now: () => number = () => Date.now(), shared?: SharedLoginClaims) {
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#now = now;
    this.#shared = shared;
    this.#pending = new ExpiringMap({ now });
  }

  /** Keeps a new attempt in the browser's session. Throws 429 when the BFF holds too many. */
  add(session: BffSession & { maxAge?: number | 'session' }, state: string, attempt: LoginAttempt): void {
    if (this.#pending.size >= this.#limits.total) {
      this.#pending.sweep();
      if (this.#pending.size >= this.#limits.total) throw new TooManyPendingLoginsError(Math.ceil(this.#limits.lifetimeMs / 1000));
    }
    const kept = Object.entries<LoginAttempt>(session.loginAttempts ?? {})
      .filter(([, earlier]) => this.#isAlive(earlier))
      .sort(([, a], [, b]) => b.startedAt - a.startedAt);
    for (const [dropped] of kept.slice(this.#limits.perSession - 1)) this.#pending.delete(dropped);
    session.loginAttempts = Object.fromEntries([[state, attempt], ...kept.slice(0, this.#limits.perSession - 1)]);
    this.#pending.set(state, true, this.#limits.lifetimeMs);
    if (!session.user) session.maxAge = this.#limits.lifetimeMs;
  }

  /** The live attempt of this browser with this `state`, if any. */
  find(session: BffSession, state: string | undefined): LoginAttempt | undefined {
    const attempts = session.loginAttempts ?? {};
    if (state === undefined || !Object.hasOwn(attempts, state)) return undefined;
    const attempt = attempts[state];
    return attempt && this.#isAlive(attempt) ? attempt : undefined;
  }

  /** Weakened `state` defence only: the newest attempt of this browser, whatever the callback says. */
  newest(session: BffSession): [string, LoginAttempt] | undefined {
    return Object.entries<LoginAttempt>(session.loginAttempts ?? {}).sort(([, a], [, b]) => b.startedAt - a.startedAt)[0];
  }

  /**
   * Takes the attempt for this callback: true for exactly one caller, false if it was used already.
   * With several instances the shared claims decide (the attempt itself is in the shared session).
   */
  async claim(state: string): Promise<boolean> {
    if (this.#shared) {
      this.#pending.delete(state);
      return this.#shared.claim(state, this.#limits.lifetimeMs);
    }
    if (!this.#pending.get(state)) return false;
    this.#pending.delete(state);
    return true;
  }

  /** Gives a claimed attempt back, when the exchange could not even reach the authorization server. */
  async release(state: string, attempt: LoginAttempt): Promise<void> {
    const left = attempt.startedAt + this.#limits.lifetimeMs - this.#now();
    if (left <= 0) return;
    if (this.#shared) await this.#shared.release(state);
    else this.#pending.set(state, true, left);
  }

  /** Removes the attempt from the browser's session (after its callback, whatever the outcome). */
  forget(session: BffSession, state: string): void {
    if (!session.loginAttempts) return;
    const { [state]: _spent, ...rest } = session.loginAttempts;
    session.loginAttempts = rest;
  }

  #isAlive(attempt: LoginAttempt): boolean {
    return attempt.startedAt + this.#limits.lifetimeMs > this.#now();
  }
}
