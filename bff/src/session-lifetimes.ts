/**
 * How long a signed-in BFF session lives, as a production BFF bounds it (OWASP Session
 * Management Cheat Sheet, "Session Expiration"):
 * - an **idle timeout** (`BFF_SESSION_IDLE`): a session not used for that long ends;
 * - an **absolute lifetime** (`BFF_SESSION_TTL`): it ends that long after the sign-in, however
 *   busy it is.
 *
 * Both are judged on `Date` (in the lab: the lab's clock), from what the session record holds:
 * `signedInAt` and `idleExpiresAt`. koa-session's own `_expire` (and the cookie's `Expires`, and the
 * store's TTL) is set to the absolute end; the idle deadline lives inside the record.
 *
 * Sliding the idle deadline is a store write. It is done at most once per `slideEveryMs` (a minute,
 * or a tenth of the idle timeout if that is shorter): a busy session costs one write a minute, not
 * one per API call. The price is precision: a session ends between `idleMs - slideEveryMs` and
 * `idleMs` after its last request.
 */

/** Why a signed-in session ended by itself. */
export type SessionEnding = 'idle' | 'absolute';

/** The session record fields the rules read (the rest of `BffSession` does not matter here). */
export interface TimedSession {
  sid?: unknown;
  signedInAt?: unknown;
  idleExpiresAt?: unknown;
}

/** At most this long between two writes of one session's idle deadline. */
const MAX_SLIDE_EVERY_MS = 60_000;

export class SessionLifetimes {
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly slideEveryMs: number;

  /** An idle timeout longer than the absolute lifetime has no effect: the session ends at the absolute end first. */
  constructor(idleSeconds: number, absoluteSeconds: number) {
    this.absoluteMs = absoluteSeconds * 1000;
    this.idleMs = Math.min(idleSeconds, absoluteSeconds) * 1000;
    this.slideEveryMs = Math.min(MAX_SLIDE_EVERY_MS, Math.floor(this.idleMs / 10));
  }

  /** A signed-in session: a record with a `sid` (the key of its tokens). A login in progress is not one. */
  static isSignedIn(record: TimedSession | undefined): boolean {
    return typeof record?.sid === 'string';
  }

  /** The fields of a new signed-in session, signed in at `now`. */
  start(now: number): { signedInAt: number; idleExpiresAt: number } {
    return { signedInAt: now, idleExpiresAt: now + this.idleMs };
  }

  /** When the session ends whatever its activity; undefined for a record without a usable `signedInAt`. */
  absoluteEndOf(record: TimedSession): number | undefined {
    return finite(record.signedInAt) === undefined ? undefined : (record.signedInAt as number) + this.absoluteMs;
  }

  /**
   * When the session ends unless it is used before: its idle deadline, never past its absolute end.
   * A record written without `idleExpiresAt` is idle since its sign-in.
   */
  idleEndOf(record: TimedSession): number | undefined {
    const idle = this.#idleDeadlineOf(record);
    const absolute = this.absoluteEndOf(record);
    if (idle === undefined) return absolute;
    return absolute === undefined ? idle : Math.min(idle, absolute);
  }

  /**
   * Whether the signed-in session has ended at `now`, and why; undefined while it lives, and for a
   * record that is not a signed-in session. A signed-in record without any usable time is ended:
   * a session this BFF cannot date is no session.
   */
  endingOf(record: TimedSession, now: number): SessionEnding | undefined {
    if (!SessionLifetimes.isSignedIn(record)) return undefined;
    const absolute = this.absoluteEndOf(record);
    if (absolute === undefined || absolute <= now) return 'absolute';
    const idle = this.idleEndOf(record);
    return idle !== undefined && idle <= now ? 'idle' : undefined;
  }

  /**
   * A request of a living signed-in session at `now`: moves its idle deadline to `now + idleMs` when
   * the last move is at least `slideEveryMs` old. Returns whether it moved (the record must be saved).
   */
  slide(session: TimedSession, now: number): boolean {
    if (this.endingOf(session, now) !== undefined) return false;
    // The stored deadline, not the one capped by the absolute end: near that end, the cap would
    // make every request look due for a move.
    const idle = this.#idleDeadlineOf(session);
    if (idle !== undefined && now + this.idleMs - idle < this.slideEveryMs) return false;
    session.idleExpiresAt = now + this.idleMs;
    return true;
  }

  /**
   * How long koa-session keeps the record and the cookie when it saves it at `now`: until the
   * absolute end, never more (at least 1 ms: koa-session reads 0 as "no expiry").
   */
  maxAgeAt(record: TimedSession, now: number): number | undefined {
    const absolute = this.absoluteEndOf(record);
    return absolute === undefined ? undefined : Math.max(1, absolute - now);
  }

  /** The idle deadline as stored; for a record written without one, the sign-in plus the idle timeout. */
  #idleDeadlineOf(record: TimedSession): number | undefined {
    const signedInAt = finite(record.signedInAt);
    return finite(record.idleExpiresAt) ?? (signedInAt === undefined ? undefined : signedInAt + this.idleMs);
  }

  /** For people: "it was not used for 30 min", "it reached its maximum lifetime of 8 h". */
  describe(ending: SessionEnding): string {
    return ending === 'idle'
      ? `it was not used for ${describeDuration(this.idleMs)}`
      : `it reached its maximum lifetime of ${describeDuration(this.absoluteMs)}`;
  }
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `30 min`, `8 h`, `1 h 30 min`, `90 s`. */
export function describeDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  if (rest || parts.length === 0) parts.push(`${rest} s`);
  return parts.join(' ');
}
