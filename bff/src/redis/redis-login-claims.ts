import type { Redis } from 'ioredis';
import type { SharedLoginClaims } from '../login-attempts.ts';
import { inStore } from './redis-client.ts';

/**
 * Each login's `state` spent once across BFF instances: the first callback to `SET … NX` its
 * marker wins; the marker lives as long as a login may, so a replay later still finds it spent.
 */
export class RedisLoginClaims implements SharedLoginClaims {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'bff:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async claim(state: string, lifetimeMs: number): Promise<boolean> {
    return (await inStore(() => this.#redis.set(this.#key(state), '1', 'PX', lifetimeMs, 'NX'))) === 'OK';
  }

  async release(state: string): Promise<void> {
    await inStore(() => this.#redis.del(this.#key(state)));
  }

  #key(state: string): string {
    return `${this.#prefix}login-claimed:${state}`;
  }
}
