/**
 * The `jti` of every DPoP proof this API accepted, for as long as that proof could be accepted
 * again (RFC 9449 §11.1: "the server MUST … check that the jti has not been used before within the
 * time window in which the proof is considered valid"). Once a proof's `iat` is older than the
 * window, the `iat` check refuses it by itself, so its `jti` can be forgotten.
 *
 * Bounded: at most `maxEntries` ids. A proof is only remembered after everything else about it
 * checked out (a valid access token, signed by the key the token is bound to), so only a holder of a
 * bound token and its key can add entries. Past the bound the oldest id goes first: it is the one
 * closest to leaving the window anyway. Sized so that the API would need thousands of proofs a
 * second, for the whole window, before a replay could slip through.
 */
export class SeenProofs {
  readonly #expiresAt = new Map<string, number>();
  readonly #keepMs: number;
  readonly #maxEntries: number;

  /** `keepMs`: at least the longest time a proof is accepted after its `iat` (window and clock tolerance). */
  constructor(keepMs: number, maxEntries = 100_000) {
    this.#keepMs = keepMs;
    this.#maxEntries = maxEntries;
  }

  /** Remembers `id` for `keepMs` from `now`; false when it is already remembered: a replay. */
  remember(id: string, now = Date.now()): boolean {
    const known = this.#expiresAt.get(id);
    if (known !== undefined && known > now) return false;
    this.#forgetExpired(now);
    if (this.#expiresAt.size >= this.#maxEntries) {
      const oldest = this.#expiresAt.keys().next().value;
      if (oldest !== undefined) this.#expiresAt.delete(oldest);
    }
    this.#expiresAt.delete(id);
    this.#expiresAt.set(id, now + this.#keepMs);
    return true;
  }

  get size(): number {
    return this.#expiresAt.size;
  }

  /** Every entry is kept equally long, so insertion order is expiry order: the expired ones are at the front. */
  #forgetExpired(now: number): void {
    for (const [id, expiresAt] of this.#expiresAt) {
      if (expiresAt > now) return;
      this.#expiresAt.delete(id);
    }
  }
}
