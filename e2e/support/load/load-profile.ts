/**
 * How much load the concurrency test makes. Two sizes: the bounded one runs in `npm test`
 * (about half a minute on two cores); the full one (`npm run test:load`, `LAB_LOAD_FULL=1`) is
 * the measurement the hardening issue asks for: 200 sessions × 4 parallel calls at four lifetimes.
 */
export interface LoadProfile {
  readonly name: 'bounded' | 'full';
  /** Signed-in sessions per lifetime, each signed in afresh over HTTP. */
  readonly sessions: number;
  /** Calls each session makes at once, in every round. */
  readonly parallelCalls: number;
  /** Access-token lifetimes (seconds) to run at, one phase each. */
  readonly accessTokenTtls: readonly number[];
  /**
   * Anonymous `GET /bff/login` in the whole run, each followed to the login page: shared out
   * between the phases, one burst in the middle of each. In all, fewer than the lab's caps on
   * pending logins (10,000 at the BFF and at the authorization server), so that the bursts never
   * refuse the sign-ins of the next phase's sessions.
   */
  readonly anonymousLogins: number;
  /**
   * The calls per second all sessions together offer, at most: about what the lab serves on two
   * cores with its trace recording. Well above it, answers wait in a queue and the test measures
   * the queue's length (time-outs) rather than the BFF's correctness; the rounds are paced to it.
   */
  readonly offeredCallsPerSecond: number;
  /** The shortest a phase's calls run; short lifetimes run at least 4 × their lifetime. */
  readonly minPhaseMs: number;
  /** Sign-ins in flight at once while the sessions are set up. */
  readonly signInConcurrency: number;
  /** Anonymous logins in flight at once. */
  readonly anonymousConcurrency: number;
  /**
   * The longest a phase's calls and its burst may go on, however slow the answers: past it no
   * new round or anonymous login starts, so the phase ends within its test's time limit.
   */
  readonly maxCallsMs: number;
  /** The test's time limit per phase. */
  readonly phaseTimeoutMs: number;
}

const BOUNDED: LoadProfile = {
  name: 'bounded',
  sessions: 20,
  parallelCalls: 4,
  accessTokenTtls: [1, 300],
  anonymousLogins: 250,
  offeredCallsPerSecond: 200,
  minPhaseMs: 6_000,
  signInConcurrency: 5,
  anonymousConcurrency: 16,
  maxCallsMs: 25_000,
  phaseTimeoutMs: 45_000,
};

const FULL: LoadProfile = {
  name: 'full',
  sessions: 200,
  parallelCalls: 4,
  accessTokenTtls: [1, 2, 5, 300],
  anonymousLogins: 2_500,
  offeredCallsPerSecond: 200,
  minPhaseMs: 12_000,
  signInConcurrency: 8,
  anonymousConcurrency: 32,
  maxCallsMs: 120_000,
  phaseTimeoutMs: 200_000,
};

/**
 * The full profile when `LAB_LOAD_FULL=1`, else the bounded one. To reproduce one finding, three
 * variables change it: `LAB_LOAD_TTLS=1,5` runs only those lifetimes, `LAB_LOAD_SESSIONS=50` and
 * `LAB_LOAD_PARALLEL=1` change the number of sessions and of calls each makes at once (with one,
 * no call of a session overlaps another: what is left is the anonymous logins' effect).
 */
export function selectLoadProfile(env: Readonly<Record<string, string | undefined>>): LoadProfile {
  const base = env.LAB_LOAD_FULL === '1' ? FULL : BOUNDED;
  const ttls = env.LAB_LOAD_TTLS?.split(',').map((ttl) => Number.parseInt(ttl.trim(), 10));
  if (ttls && !ttls.every((ttl) => Number.isInteger(ttl) && ttl >= 1 && ttl <= 86_400)) {
    throw new Error('LAB_LOAD_TTLS must be a comma-separated list of whole seconds from 1 to 86400, e.g. 1,5');
  }
  const sessions = env.LAB_LOAD_SESSIONS === undefined ? base.sessions : Number.parseInt(env.LAB_LOAD_SESSIONS, 10);
  if (!Number.isInteger(sessions) || sessions < 1) throw new Error('LAB_LOAD_SESSIONS must be a whole number of at least 1');
  const parallelCalls = env.LAB_LOAD_PARALLEL === undefined ? base.parallelCalls : Number.parseInt(env.LAB_LOAD_PARALLEL, 10);
  if (!Number.isInteger(parallelCalls) || parallelCalls < 1) throw new Error('LAB_LOAD_PARALLEL must be a whole number of at least 1');
  return { ...base, sessions, parallelCalls, ...(ttls ? { accessTokenTtls: ttls } : {}) };
}

/** The anonymous logins of one phase's burst: the run's share for each lifetime. */
export function anonymousLoginsPerPhase(profile: LoadProfile): number {
  return Math.ceil(profile.anonymousLogins / profile.accessTokenTtls.length);
}

/** Whether `ttlSeconds` is short enough for tokens to expire, again and again, within a phase. */
function isShortLived(ttlSeconds: number): boolean {
  return ttlSeconds <= 60;
}

/**
 * The least time between the starts of two rounds of one session: half a lifetime (at least
 * 0.25 s, at most 1 s), or longer when the sessions together would offer more than
 * `offeredCallsPerSecond`. A round after the token expired refreshes it whatever the pace; with
 * a lifetime of a second or two, tokens also expire while a round is in flight.
 */
export function roundIntervalMs(profile: LoadProfile, ttlSeconds: number): number {
  const byLifetime = Math.min(1_000, Math.max(250, (ttlSeconds * 1000) / 2));
  const byLoad = ((profile.sessions * profile.parallelCalls) / profile.offeredCallsPerSecond) * 1000;
  return Math.max(byLifetime, byLoad);
}

/**
 * How long the signed-in calls of one phase run, at the least: long enough that a short-lived
 * token expires and is refreshed several times in every session (4 lifetimes, 4 rounds).
 */
export function phaseDurationMs(profile: LoadProfile, ttlSeconds: number): number {
  if (!isShortLived(ttlSeconds)) return profile.minPhaseMs;
  return Math.max(profile.minPhaseMs, 4 * ttlSeconds * 1000, 4 * roundIntervalMs(profile, ttlSeconds));
}

/**
 * Refreshes every session must be seen to make before it stops (3 for a short lifetime, none for
 * a long one): the test proves something only if tokens expired and were renewed, several times.
 */
export function refreshesWanted(ttlSeconds: number): number {
  return isShortLived(ttlSeconds) ? 3 : 0;
}

/**
 * How long calls go on after the anonymous burst has ended: long enough for every session's
 * token to need a refresh at least once more (2 lifetimes and a second, 2 rounds at the least),
 * so that a grant the burst pushed out of the authorization server shows as a failed refresh.
 */
export function afterBurstMs(profile: LoadProfile, ttlSeconds: number): number {
  const rounds = 2 * roundIntervalMs(profile, ttlSeconds);
  return isShortLived(ttlSeconds) ? Math.max(2 * ttlSeconds * 1000 + 1_000, rounds) : rounds;
}
