import { ExpiringMap } from './expiring-map.ts';

/**
 * Which BFF sessions came from which session at the authorization server: its `sid` (the ID token's,
 * OpenID Connect Back-Channel Logout 1.0 §2.4) → the BFF's own session ids. One sign-in at the
 * authorization server can sign in several browsers' BFF sessions (single sign-on), and a logout
 * token names that one `sid`: every BFF session of it ends.
 *
 * Entries live as long as the BFF sessions may, so the map holds no more than the sessions alive.
 * In this process's memory, like `MemoryTokenStore`; a BFF with a shared store keeps it there too.
 */
export class AuthServerSessions {
  readonly #bySid: ExpiringMap<Set<string>>;
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#bySid = new ExpiringMap(options);
    this.#now = options.now ?? Date.now;
  }

  /** Notes that BFF session `bffSid` came from the authorization server's session `sid`. */
  add(sid: string, bffSid: string, ttlMs: number): void {
    const known = this.#bySid.get(sid) ?? new Set<string>();
    known.add(bffSid);
    // The entry lives as long as its youngest session.
    this.#bySid.set(sid, known, Math.max(ttlMs, (this.#bySid.expiresAt(sid) ?? 0) - this.#now()));
  }

  /** The BFF sessions of `sid`, forgotten here at once: a logout token ends them all, once. */
  take(sid: string): string[] {
    const known = [...(this.#bySid.get(sid) ?? [])];
    this.#bySid.delete(sid);
    return known;
  }

  close(): void {
    this.#bySid.close();
  }
}
