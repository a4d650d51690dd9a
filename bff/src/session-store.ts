/**
 * Where the BFF keeps sessions, and so every token: server-side, behind this interface.
 * The browser holds only the session id (an opaque random string) in an HttpOnly cookie.
 * It is the store shape koa-session expects; a Redis or SQL store can replace the in-memory one
 * without touching the routes.
 */
export interface SessionStore {
  get(id: string): Promise<Record<string, unknown> | undefined>;
  set(id: string, data: Record<string, unknown>, maxAgeMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
  /**
   * Every live session. Used only by the lab's control routes, to play a breach of the store
   * (what an attacker who copies it gets); a production store need not offer it.
   */
  list?(): Promise<Array<{ id: string; data: Record<string, unknown> }>>;
}

/** Sessions in this process's memory; each expires after its max age. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, { data: Record<string, unknown>; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.#sessions.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    // A copy: each request works on its own snapshot, as it would with a remote store.
    return structuredClone(entry.data);
  }

  async set(id: string, data: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    this.#sessions.set(id, { data: structuredClone(data), expiresAt: this.#now() + maxAgeMs });
  }

  async destroy(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async list(): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    const now = this.#now();
    return [...this.#sessions].filter(([, entry]) => entry.expiresAt > now).map(([id, entry]) => ({ id, data: structuredClone(entry.data) }));
  }

  /** How many sessions are live (for the health check and the lab's narration). */
  get size(): number {
    return this.#sessions.size;
  }
}
