import type { Verdict } from './judge-answer.ts';

/** A count per key, in the order keys first came. */
export class Counter {
  readonly #counts = new Map<string, number>();

  add(key: string, by = 1): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + by);
  }

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.#counts.values()) total += count;
    return total;
  }

  /** `{ "GET /api/notes 200": 812, … }`, largest first. */
  toObject(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([, a], [, b]) => b - a));
  }
}

/**
 * Everything the signed-in sessions of one phase saw: statuses per call, what went wrong and
 * when, and the access-token expiries `/bff/user` showed (each new one is a refresh).
 */
export class PhaseTally {
  /** `"GET /api/notes 200"` → count, `"POST /api/notes network ECONNRESET"` for no answer. */
  readonly statuses = new Counter();
  /** Each kind of problem with its detail (`"lost: GET /api/notes 401 session_expired"`) → count. */
  readonly problems = new Counter();
  readonly #firstProblemAt = new Map<number, number>();
  readonly #lost = new Set<number>();
  readonly #expiries = new Map<number, Set<string>>();

  record(session: number, call: string, status: string, verdict: Verdict, at = Date.now()): void {
    this.statuses.add(`${call} ${status}`);
    if (verdict.kind === 'ok') {
      if (verdict.accessTokenExpiresAt) {
        const seen = this.#expiries.get(session) ?? new Set<string>();
        seen.add(verdict.accessTokenExpiresAt);
        this.#expiries.set(session, seen);
      }
      return;
    }
    this.problems.add(`${verdict.kind}: ${call} ${verdict.detail}`);
    if (!this.#firstProblemAt.has(session)) this.#firstProblemAt.set(session, at);
    if (verdict.kind === 'lost') this.#lost.add(session);
  }

  isLost(session: number): boolean {
    return this.#lost.has(session);
  }

  get calls(): number {
    return this.statuses.total;
  }

  get lostSessions(): number {
    return this.#lost.size;
  }

  /** Answers of another user (every one counts, not only the sessions). */
  get crossUserAnswers(): number {
    return this.#count('cross-user');
  }

  /** 5xx answers and calls with no answer. */
  get errors(): number {
    return this.#count('error');
  }

  /** Answers with a status no signed-in user should see that are neither 401 nor 5xx. */
  get unexpected(): number {
    return this.#count('unexpected');
  }

  /** Sessions whose first problem came at or after `since`, having had none before. */
  sessionsFirstHitSince(since: number): number {
    let count = 0;
    for (const at of this.#firstProblemAt.values()) if (at >= since) count += 1;
    return count;
  }

  /** Refreshes `session` was seen to have made so far: distinct expiries `/bff/user` showed, minus the first. */
  refreshesOf(session: number): number {
    return Math.max(0, (this.#expiries.get(session)?.size ?? 0) - 1);
  }

  /** Refreshes each session was seen to have made: distinct expiries `/bff/user` showed, minus the first. */
  refreshesBySession(sessions: number): number[] {
    return Array.from({ length: sessions }, (_, session) => this.refreshesOf(session));
  }

  #count(kind: Verdict['kind']): number {
    let count = 0;
    for (const [key, value] of Object.entries(this.problems.toObject())) if (key.startsWith(`${kind}:`)) count += value;
    return count;
  }
}
