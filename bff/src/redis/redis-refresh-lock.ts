import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RefreshLock } from '../refresh-lock.ts';
import { inStore } from './redis-client.ts';

/** Deletes the lock only if it is still ours: a lock that expired and was taken by another instance is left alone. */
const RELEASE_IF_OURS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface LockCommands {
  bffReleaseLockIfOurs(key: string, token: string): Promise<number>;
}

/**
 * The refresh lock shared by every BFF instance: one Redis key per session, taken with
 * `SET key token NX PX holdMs` (only one instance gets it), released by compare-and-delete.
 * It expires by itself, so an instance that dies while refreshing holds it `holdMs` at most.
 */
export class RedisRefreshLock implements RefreshLock {
  readonly holdMs: number;
  readonly #redis: Redis & LockCommands;
  readonly #prefix: string;

  constructor(redis: Redis, holdMs: number, prefix = 'bff:') {
    redis.defineCommand('bffReleaseLockIfOurs', { numberOfKeys: 1, lua: RELEASE_IF_OURS });
    this.#redis = redis as Redis & LockCommands;
    this.holdMs = holdMs;
    this.#prefix = prefix;
  }

  async tryAcquire(sid: string): Promise<(() => Promise<void>) | undefined> {
    const key = `${this.#prefix}refresh-lock:${sid}`;
    const token = randomBytes(16).toString('base64url');
    const taken = await inStore(() => this.#redis.set(key, token, 'PX', this.holdMs, 'NX'));
    if (taken !== 'OK') return undefined;
    return async () => {
      await inStore(() => this.#redis.bffReleaseLockIfOurs(key, token));
    };
  }
}
