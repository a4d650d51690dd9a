import type { Redis } from 'ioredis';
import type { AdapterFactory, AdapterPayload } from 'oidc-provider';
import { AnonymousEntriesFull, isAnonymousEntry } from './anonymous-entries.ts';
import { ISSUED_UNDER_A_GRANT } from './memory-storage.ts';
import { inStorage } from './redis-connection.ts';

export interface RedisStorageOptions {
  /** As for the in-memory storage: the most anonymous entries of each kind kept at once; past it, 429. */
  readonly maxAnonymousEntries: number;
  /** Namespace of every key (default `op:`). */
  readonly prefix?: string;
}

/**
 * Admits a new anonymous entry of one model if its kind is under the cap, atomically: drops the
 * expired members first, lets an entry already counted through (an update), and otherwise
 * answers how long until the oldest one expires. KEYS[1] the model's sorted set of anonymous ids
 * (score: expiry, epoch ms); ARGV now, max, id, expiry. Returns 0 when admitted, else ms to wait.
 */
const ADMIT_ANONYMOUS = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) - tonumber(ARGV[1]))`;

/** Marks an entry consumed (a code, a rotated refresh token) only if it still exists: no TTL-less leftovers. */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'consumed', ARGV[1])
return 1`;

interface StorageCommands {
  opAdmitAnonymous(set: string, now: number, max: number, id: string, expiresAt: number): Promise<number>;
  opConsume(key: string, at: number): Promise<number>;
}

/** Lifetime of what oidc-provider stores without one (its clients, if it stored any): kept for the run, and then some. */
const NO_EXPIRY_SECONDS = 30 * 86_400;

/**
 * oidc-provider's storage (its `adapter`) in Redis: Sessions, Grants, Interactions, codes and
 * tokens survive a restart of the authorization server, and several of its processes could share
 * them. The layout, per model:
 * - `op:<Model>:<id>`: a hash, `payload` (JSON), `expiresAt` (epoch ms) and `consumed` (epoch s,
 *   once consumed). Its end is judged on this process's `Date` at every read, as the in-memory
 *   storage judges it: in the lab that is the lab's clock, which `npm run lab -- time +8h` moves
 *   ahead of real time. Redis's own TTL (the same length, on real time) frees the memory afterwards,
 *   so nothing needs sweeping;
 * - `op:<Model>:uid:<uid>` and `op:<Model>:userCode:<code>`: the id, for `findByUid` / `findByUserCode`;
 * - `op:grant:<grantId>`: a set of the keys issued under a grant, for `revokeByGrantId` (RFC 7009
 *   §2.1, and the replay of a rotated refresh token, RFC 9700 §4.14.2), living as long as its longest member;
 * - `op:anonymous:<Model>`: the ids of the entries anonymous callers made (anonymous-entries.ts),
 *   scored by expiry, to keep the in-memory storage's cap: their traffic cannot fill Redis.
 *
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#adapter
 */
export class RedisStorage {
  readonly #redis: Redis & StorageCommands;
  readonly #max: number;
  readonly #prefix: string;

  constructor(redis: Redis, { maxAnonymousEntries, prefix = 'op:' }: RedisStorageOptions) {
    if (!Number.isInteger(maxAnonymousEntries) || maxAnonymousEntries < 1) throw new RangeError('maxAnonymousEntries must be a whole number from 1');
    redis.defineCommand('opAdmitAnonymous', { numberOfKeys: 1, lua: ADMIT_ANONYMOUS });
    redis.defineCommand('opConsume', { numberOfKeys: 1, lua: CONSUME });
    this.#redis = redis as Redis & StorageCommands;
    this.#max = maxAnonymousEntries;
    this.#prefix = prefix;
  }

  /** What goes into oidc-provider's configuration as `adapter`: one adapter per model name. */
  readonly adapter: AdapterFactory = (model) => ({
    upsert: (id, payload, expiresIn) => inStorage(() => this.#upsert(model, id, payload, expiresIn)),
    find: (id) => inStorage(() => this.#find(model, id)),
    findByUid: (uid) => inStorage(() => this.#findBy(model, 'uid', uid)),
    findByUserCode: (userCode) => inStorage(() => this.#findBy(model, 'userCode', userCode)),
    consume: (id) => inStorage(async () => void (await this.#redis.opConsume(this.#key(model, id), Math.floor(Date.now() / 1000)))),
    destroy: (id) => inStorage(async () => void (await this.#redis.multi().del(this.#key(model, id)).zrem(this.#anonymous(model), id).exec())),
    revokeByGrantId: (grantId) => inStorage(() => this.#revokeGrant(grantId)),
  });

  async #upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? Math.ceil(expiresIn) : NO_EXPIRY_SECONDS;
    const key = this.#key(model, id);
    if (isAnonymousEntry(model, payload)) {
      const now = Date.now();
      const waitMs = await this.#redis.opAdmitAnonymous(this.#anonymous(model), now, this.#max, id, now + ttl * 1000);
      if (waitMs > 0) throw new AnonymousEntriesFull(model, this.#max, Math.max(1, Math.ceil(waitMs / 1000)));
    }
    const write = this.#redis
      .multi()
      .del(key)
      .hset(key, 'payload', JSON.stringify(payload), 'expiresAt', String(Date.now() + ttl * 1000))
      .expire(key, ttl);
    // Signed in now (a Session that got its account, say): no longer counted as anonymous.
    if (!isAnonymousEntry(model, payload)) write.zrem(this.#anonymous(model), id);
    for (const field of ['uid', 'userCode'] as const) {
      const value = payload[field];
      if (typeof value === 'string') write.set(this.#index(model, field, value), id, 'EX', ttl);
    }
    const grantId = payload.grantId;
    if (ISSUED_UNDER_A_GRANT.has(model) && typeof grantId === 'string') {
      const grant = this.#grant(grantId);
      // The set lives as long as its longest-lived member: GT only ever lengthens it (Redis 7).
      write.sadd(grant, key).expire(grant, ttl, 'NX').expire(grant, ttl, 'GT');
    }
    await write.exec();
  }

  async #find(model: string, id: string): Promise<AdapterPayload | undefined> {
    const row = await this.#redis.hgetall(this.#key(model, id));
    if (row.payload === undefined || !isLive(row.expiresAt, Date.now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed === undefined ? payload : { ...payload, consumed: Number(row.consumed) };
  }

  async #findBy(model: string, field: 'uid' | 'userCode', value: string): Promise<AdapterPayload | undefined> {
    const id = await this.#redis.get(this.#index(model, field, value));
    return id === null ? undefined : this.#find(model, id);
  }

  async #revokeGrant(grantId: string): Promise<void> {
    const grant = this.#grant(grantId);
    const keys = await this.#redis.smembers(grant);
    await this.#redis
      .multi()
      .del(...keys, grant)
      .exec();
  }

  /**
   * How many entries of each model end between two times (epoch ms), as the in-memory storage
   * counts them: what `PUT /_lab/clock` reports after a jump. LAB ONLY: a SCAN of every entry.
   */
  async expiringBetween(fromMs: number, toMs: number): Promise<Record<string, number>> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.#redis.scan(cursor, 'MATCH', `${this.#prefix}*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    // Entries only (`op:<Model>:<id>`), not the indexes, grant sets and anonymous sets beside them.
    const entries = keys.flatMap((key) => {
      const model = /^([A-Z][A-Za-z]*):[^:]+$/.exec(key.slice(this.#prefix.length))?.[1];
      return model ? [{ key, model }] : [];
    });
    const pipeline = this.#redis.pipeline();
    for (const { key } of entries) pipeline.hmget(key, 'expiresAt', 'consumed');
    const rows = (await pipeline.exec()) ?? [];
    const counts: Record<string, number> = {};
    entries.forEach(({ model }, index) => {
      const [error, values] = rows[index] ?? [];
      const [expiresAt, consumed] = (error ? [] : values) as Array<string | null>;
      const at = Number(expiresAt);
      if (expiresAt && at > fromMs && at <= toMs && consumed === null) counts[model] = (counts[model] ?? 0) + 1;
    });
    return counts;
  }

  #key(model: string, id: string): string {
    return `${this.#prefix}${model}:${id}`;
  }

  #index(model: string, field: string, value: string): string {
    return `${this.#prefix}${model}:${field}:${value}`;
  }

  #grant(grantId: string): string {
    return `${this.#prefix}grant:${grantId}`;
  }

  #anonymous(model: string): string {
    return `${this.#prefix}anonymous:${model}`;
  }
}

/** Whether an entry whose `expiresAt` field holds this value (epoch ms) is still alive at `now`. */
function isLive(expiresAt: string | undefined, now: number): boolean {
  const at = Number(expiresAt);
  return expiresAt !== undefined && Number.isFinite(at) && at > now;
}
