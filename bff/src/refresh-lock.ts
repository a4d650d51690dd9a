/**
 * A lock per session around its refresh, for when several BFF processes serve the same sessions.
 * In one process the refresh is single-flight by itself (session-tokens.ts); across processes
 * two instances could each find the same expired token, and each send the same refresh token:
 * with rotation the second use looks like a replay and revokes the grant (RFC 9700 §4.14.2).
 */
export interface RefreshLock {
  /** How long the lock holds if its holder never releases it (it died): longer than any refresh may take. */
  readonly holdMs: number;
  /** Takes the session's lock: a release function, or undefined when another process holds it. */
  tryAcquire(sid: string): Promise<(() => Promise<void>) | undefined>;
}
