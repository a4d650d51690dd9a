import type { Redis } from 'ioredis';
import type { StoredTokens } from '../session.ts';
import type { TokenStore } from '../token-store.ts';
import { inStore, scanKeys } from './redis-client.ts';

/**
 * Compare-and-replace in one step inside Redis: the tokens are replaced only if they still hold
 * the access token the refresh started from, and keep their expiry (`KEEPTTL`). A refresh that
 * lost a race, or a session ended meanwhile, writes nothing: a rotated-out refresh token is never
 * written back over a newer one (RFC 9700 §4.14.2).
 * KEYS[1] the tokens; ARGV[1] the expected access token, ARGV[2] the new tokens (JSON).
 */
const REPLACE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current).accessToken ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

interface TokenCommands {
  bffReplaceTokensIfUnchanged(key: string, expectedAccessToken: string, json: string): Promise<number>;
}

/** Each signed-in session's tokens in Redis, by `sid`, living as long as the session may (`PX`). */
export class RedisTokenStore implements TokenStore {
  readonly #redis: Redis & TokenCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'bff:') {
    redis.defineCommand('bffReplaceTokensIfUnchanged', { numberOfKeys: 1, lua: REPLACE_IF_UNCHANGED });
    this.#redis = redis as Redis & TokenCommands;
    this.#prefix = prefix;
  }

  async get(sid: string): Promise<StoredTokens | undefined> {
    const json = await inStore(() => this.#redis.get(this.#key(sid)));
    return json === null ? undefined : (JSON.parse(json) as StoredTokens);
  }

  async put(sid: string, tokens: StoredTokens, ttlMs: number): Promise<void> {
    await inStore(() => this.#redis.set(this.#key(sid), JSON.stringify(tokens), 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async replace(sid: string, expected: StoredTokens, next: StoredTokens): Promise<boolean> {
    const replaced = await inStore(() => this.#redis.bffReplaceTokensIfUnchanged(this.#key(sid), expected.accessToken, JSON.stringify(next)));
    return replaced === 1;
  }

  async delete(sid: string): Promise<void> {
    await inStore(() => this.#redis.del(this.#key(sid)));
  }

  /** LAB ONLY (the breach route): every live entry, found by SCAN. */
  async list(): Promise<Array<{ sid: string; tokens: StoredTokens }>> {
    const prefix = `${this.#prefix}tokens:`;
    const keys = await inStore(() => scanKeys(this.#redis, prefix));
    if (keys.length === 0) return [];
    const values = await inStore(() => this.#redis.mget(keys));
    return keys.flatMap((key, index) => {
      const json = values[index];
      return json ? [{ sid: key.slice(prefix.length), tokens: JSON.parse(json) as StoredTokens }] : [];
    });
  }

  #key(sid: string): string {
    return `${this.#prefix}tokens:${sid}`;
  }
}
