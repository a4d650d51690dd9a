import type { Redis } from 'ioredis';
import type { StoredTokens } from '../session.ts';
import type { TokenStore } from '../token-store.ts';
import { inStore, isLive, readHashes, scanKeys } from './redis-client.ts';

/**
 * Compare-and-replace in one step inside Redis: the tokens are replaced only if they still hold
 * the access token the refresh started from, and have not ended; they keep their expiry (`HSET`
 * leaves `expiresAt` and the TTL alone). A refresh that lost a race, or a session ended meanwhile,
 * writes nothing: a rotated-out refresh token is never written back over a newer one (RFC 9700 §4.14.2).
 * KEYS[1] the tokens; ARGV[1] the expected access token, ARGV[2] the new tokens (JSON), ARGV[3] now (epoch ms).
 */
const REPLACE_IF_UNCHANGED = `
local current = redis.call('HGET', KEYS[1], 'tokens')
if not current then return 0 end
local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
if not expiresAt or expiresAt <= tonumber(ARGV[3]) then return 0 end
if cjson.decode(current).accessToken ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'tokens', ARGV[2])
return 1`;

interface TokenCommands {
  bffReplaceTokensIfUnchanged(key: string, expectedAccessToken: string, json: string, now: number): Promise<number>;
}

/**
 * Each signed-in session's tokens in Redis, by `sid`: a hash, `tokens` (JSON) and `expiresAt`,
 * living as long as the session may. As for the sessions (redis-session-store.ts), the end is
 * judged on the BFF's clock at every read; Redis's TTL on real time is the backstop that frees the memory.
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: Redis & TokenCommands;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'bff:') {
    redis.defineCommand('bffReplaceTokensIfUnchanged', { numberOfKeys: 1, lua: REPLACE_IF_UNCHANGED });
    this.#redis = redis as Redis & TokenCommands;
    this.#prefix = prefix;
  }

  async get(sid: string): Promise<StoredTokens | undefined> {
    const [json, expiresAt] = await inStore(() => this.#redis.hmget(this.#key(sid), 'tokens', 'expiresAt'));
    return liveTokens(json ?? null, expiresAt ?? null, Date.now());
  }

  async put(sid: string, tokens: StoredTokens, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const key = this.#key(sid);
    await inStore(() =>
      this.#redis
        .multi()
        .del(key)
        .hset(key, 'tokens', JSON.stringify(tokens), 'expiresAt', String(Date.now() + ttl))
        .pexpire(key, ttl)
        .exec(),
    );
  }

  async replace(sid: string, expected: StoredTokens, next: StoredTokens): Promise<boolean> {
    const replaced = await inStore(() => this.#redis.bffReplaceTokensIfUnchanged(this.#key(sid), expected.accessToken, JSON.stringify(next), Date.now()));
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
    const rows = await inStore(() => readHashes(this.#redis, keys, ['tokens', 'expiresAt']));
    const now = Date.now();
    return keys.flatMap((key, index) => {
      const [json, expiresAt] = rows[index] ?? [];
      const tokens = liveTokens(json ?? null, expiresAt ?? null, now);
      return tokens ? [{ sid: key.slice(prefix.length), tokens }] : [];
    });
  }

  #key(sid: string): string {
    return `${this.#prefix}tokens:${sid}`;
  }
}

function liveTokens(json: string | null, expiresAt: string | null, now: number): StoredTokens | undefined {
  return json !== null && isLive(expiresAt, now) ? (JSON.parse(json) as StoredTokens) : undefined;
}
