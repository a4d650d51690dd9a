import type { Redis } from 'ioredis';
import type { SessionStore } from '../session-store.ts';
import { inStore, scanKeys } from './redis-client.ts';

/** How long a destroyed id is remembered: longer than any request that loaded it can still run. */
const TOMBSTONE_MS = 10 * 60 * 1000;

/**
 * Writes a session unless its id was destroyed (atomically: a logout that lands between the
 * check and the write cannot be undone by a slower parallel request of the same session).
 * KEYS[1] the session, KEYS[2] its tombstone; ARGV[1] the JSON, ARGV[2] its lifetime in ms.
 */
const SET_UNLESS_DESTROYED = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

interface SessionCommands {
  bffSetSessionUnlessDestroyed(session: string, tombstone: string, json: string, ttlMs: number): Promise<number>;
}

/**
 * The BFF's sessions in Redis, shared by every BFF instance and kept across their restarts. Each
 * session is one string key whose lifetime Redis itself enforces (`PX`): nothing to sweep. The
 * same rule as the in-memory store: `destroy` is final (a tombstone, itself expiring, refuses
 * later writes of that id).
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis & SessionCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'bff:') {
    redis.defineCommand('bffSetSessionUnlessDestroyed', { numberOfKeys: 2, lua: SET_UNLESS_DESTROYED });
    this.#redis = redis as Redis & SessionCommands;
    this.#prefix = prefix;
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const json = await inStore(() => this.#redis.get(this.#key(id)));
    return json === null ? undefined : (JSON.parse(json) as Record<string, unknown>);
  }

  async set(id: string, data: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(maxAgeMs));
    await inStore(() => this.#redis.bffSetSessionUnlessDestroyed(this.#key(id), this.#tombstone(id), JSON.stringify(data), ttlMs));
  }

  async destroy(id: string): Promise<void> {
    await inStore(() => this.#redis.multi().del(this.#key(id)).set(this.#tombstone(id), '1', 'PX', TOMBSTONE_MS).exec());
  }

  /** LAB ONLY (the breach route): every live session, found by SCAN. */
  async list(): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    const prefix = `${this.#prefix}session:`;
    const keys = await inStore(() => scanKeys(this.#redis, prefix));
    if (keys.length === 0) return [];
    const values = await inStore(() => this.#redis.mget(keys));
    return keys.flatMap((key, index) => {
      const json = values[index];
      return json ? [{ id: key.slice(prefix.length), data: JSON.parse(json) as Record<string, unknown> }] : [];
    });
  }

  #key(id: string): string {
    return `${this.#prefix}session:${id}`;
  }

  #tombstone(id: string): string {
    return `${this.#prefix}session-destroyed:${id}`;
  }
}
