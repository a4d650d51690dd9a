import { ExpiringMap } from './expiring-map.ts';
import type { StoredTokens } from './session.ts';

/**
 * Where the BFF keeps each signed-in session's tokens, by the session's stable `sid`, apart from
 * the cookie session itself. Only the login, the refresh and the end of a session write here, so
 * a request that loaded an older copy of the cookie session can never write old tokens back
 * (with rotation, an old refresh token sent again revokes the whole grant: RFC 9700 §4.14.2).
 */
export interface TokenStore {
  get(sid: string): Promise<StoredTokens | undefined>;
  /** Stores the tokens of a new sign-in; they live as long as the session may (`ttlMs`). */
  put(sid: string, tokens: StoredTokens, ttlMs: number): Promise<void>;
  /**
   * Replaces the tokens only if the stored ones are still `expected` (compared by access token),
   * keeping their expiry; false when they changed meanwhile or are gone (the session ended).
   */
  replace(sid: string, expected: StoredTokens, next: StoredTokens): Promise<boolean>;
  delete(sid: string): Promise<void>;
  /** LAB ONLY (the session-store breach route): every live entry. */
  list?(): Promise<Array<{ sid: string; tokens: StoredTokens }>>;
}

/** Tokens in this process's memory; `replace` is atomic because nothing awaits inside it. */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens: ExpiringMap<StoredTokens>;
  readonly #now: () => number;

  constructor(options: { now?: () => number; sweepEveryMs?: number } = {}) {
    this.#tokens = new ExpiringMap(options);
    this.#now = options.now ?? (() => Date.now());
  }

  async get(sid: string): Promise<StoredTokens | undefined> {
    return this.#tokens.get(sid);
  }

  async put(sid: string, tokens: StoredTokens, ttlMs: number): Promise<void> {
    this.#tokens.set(sid, tokens, ttlMs);
  }

  async replace(sid: string, expected: StoredTokens, next: StoredTokens): Promise<boolean> {
    const current = this.#tokens.get(sid);
    const expiresAt = this.#tokens.expiresAt(sid);
    if (!current || expiresAt === undefined || current.accessToken !== expected.accessToken) return false;
    this.#tokens.set(sid, next, expiresAt - this.#now());
    return true;
  }

  async delete(sid: string): Promise<void> {
    this.#tokens.delete(sid);
  }

  async list(): Promise<Array<{ sid: string; tokens: StoredTokens }>> {
    return [...this.#tokens.entries()].map(([sid, tokens]) => ({ sid, tokens }));
  }

  close(): void {
    this.#tokens.close();
  }
}
