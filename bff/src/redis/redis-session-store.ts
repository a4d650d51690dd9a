import type { Redis } from 'ioredis';
import type { SessionStore } from '../session-store.ts';
import { inStore, isLive, readHashes, scanKeys } from './redis-client.ts';

/** How long a destroyed id is remembered: longer than any request that loaded it can still run. */
const TOMBSTONE_MS = 10 * 60 * 1000;

/**
 * Writes a session unless its id was destroyed (atomically: a logout that lands between the
 * check and the write cannot be undone by a slower parallel request of the same session).
 * KEYS[1] the session, KEYS[2] its tombstone; ARGV[1] the JSON, ARGV[2] its lifetime in ms,
 * ARGV[3] when it ends (epoch ms, on the BFF's clock).
 */
const SET_UNLESS_DESTROYED = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'expiresAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

interface SessionCommands {
  bffSetSessionUnlessDestroyed(session: string, tombstone: string, json: string, ttlMs: number, expiresAt: number): Promise<number>;
}

/**
 * The BFF's sessions in Redis, shared by every BFF instance and kept across their restarts. Each
 * session is one hash: `data` (the JSON koa-session keeps) and `expiresAt`. The same rules as the
 * in-memory store:
 * - a session ends at its max age on the BFF's clock (`Date`): `expiresAt` is judged at every read.
 *   Redis's own TTL (`PEXPIRE`, the same length) runs on real time: it frees the memory, and is only
 *   the backstop. In the lab, whose clock runs ahead of real time (`npm run lab -- time +8h`), a
 *   session is over when the lab's time says so, not hours later when Redis's does;
 * - `destroy` is final (a tombstone, itself expiring, refuses later writes of that id).
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
    const [json, expiresAt] = await inStore(() => this.#redis.hmget(this.#key(id), 'data', 'expiresAt'));
    return liveData(json ?? null, expiresAt ?? null, Date.now());
  }

  async set(id: string, data: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(maxAgeMs));
    const expiresAt = Date.now() + ttlMs;
    await inStore(() => this.#redis.bffSetSessionUnlessDestroyed(this.#key(id), this.#tombstone(id), JSON.stringify(data), ttlMs, expiresAt));
  }

  async destroy(id: string): Promise<void> {
    await inStore(() => this.#redis.multi().del(this.#key(id)).set(this.#tombstone(id), '1', 'PX', TOMBSTONE_MS).exec());
  }

  /** LAB ONLY (the breach route): every live session, found by SCAN. */
  async list(): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    const prefix = `${this.#prefix}session:`;
    const keys = await inStore(() => scanKeys(this.#redis, prefix));
    if (keys.length === 0) return [];
    const rows = await inStore(() => readHashes(this.#redis, keys, ['data', 'expiresAt']));
    const now = Date.now();
    return keys.flatMap((key, index) => {
      const [json, expiresAt] = rows[index] ?? [];
      const data = liveData(json ?? null, expiresAt ?? null, now);
      return data ? [{ id: key.slice(prefix.length), data }] : [];
    });
  }

  #key(id: string): string {
    return `${this.#prefix}session:${id}`;
  }

  #tombstone(id: string): string {
    return `${this.#prefix}session-destroyed:${id}`;
  }
}

/** The session's data, unless there is none or it ended at `now`. */
function liveData(json: string | null, expiresAt: string | null, now: number): Record<string, unknown> | undefined {
  return json !== null && isLive(expiresAt, now) ? (JSON.parse(json) as Record<string, unknown>) : undefined;
}
