import { ExpiringMap } from './expiring-map.ts';

/**
 * Where the BFF keeps sessions: server-side, behind this interface. The browser holds only the
 * session id (an opaque random string) in an HttpOnly cookie. It is the store shape koa-session
 * expects; a Redis or SQL store can replace the in-memory one without touching the routes.
 *
 * `destroy` is final: a request that loaded the session before it was destroyed (a parallel call
 * during logout) must not write it back when it ends, so `set` of a destroyed id does nothing.
 * Session ids are random and never reused, so a new session is never mistaken for a destroyed one.
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

/** How long a destroyed id is remembered: longer than any request that loaded it can still run. */
const TOMBSTONE_MS = 10 * 60 * 1000;

/**
 * Sessions in this process's memory; each ends at its max age, and expired ones are swept. Each
 * is kept as its JSON text, as a remote store would keep it: a few hundred bytes instead of an
 * object graph, and every request parses its own copy.
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions: ExpiringMap<string>;
  readonly #destroyed: ExpiringMap<true>;

  constructor(options: { now?: () => number; sweepEveryMs?: number } = {}) {
    this.#sessions = new ExpiringMap(options);
    this.#destroyed = new ExpiringMap(options);
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const data = this.#sessions.get(id);
    return data === undefined ? undefined : (JSON.parse(data) as Record<string, unknown>);
  }

  async set(id: string, data: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    if (this.#destroyed.get(id)) return;
    this.#sessions.set(id, JSON.stringify(data), maxAgeMs);
  }

  async destroy(id: string): Promise<void> {
    this.#sessions.delete(id);
    this.#destroyed.set(id, true, TOMBSTONE_MS);
  }

  async list(): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    return [...this.#sessions.entries()].map(([id, data]) => ({ id, data: JSON.parse(data) as Record<string, unknown> }));
  }

  close(): void {
    this.#sessions.close();
    this.#destroyed.close();
  }
}
