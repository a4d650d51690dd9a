import type { Redis } from 'ioredis';
import { createRedisConnection } from '@lab/kit';
import { SessionStoreUnavailableError } from '../errors.ts';

export { REDIS_COMMAND_TIMEOUT_MS, connectRedis } from '@lab/kit';

export interface RedisClientOptions {
  /** How long one command may take before the request that needs it is answered 503 (ms). */
  readonly commandTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** The BFF's one connection to the shared store (see the kit's `createRedisConnection`: it fails fast rather than hang). */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Promise<Redis> {
  return createRedisConnection(url, { name: 'bff: session store', ...options });
}

/** Runs one store operation; any failure of Redis (timeout, refused, reset) is a 503 for the caller, never a 500. */
export async function inStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new SessionStoreUnavailableError(error);
  }
}

/** Every key under `prefix`, by SCAN (never KEYS, which blocks Redis): for the lab's breach route only. */
export async function scanKeys(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The given fields of each hash, in one round trip (a pipeline of HMGET); a missing key reads as nulls. */
export async function readHashes(client: Redis, keys: readonly string[], fields: readonly string[]): Promise<Array<Array<string | null>>> {
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.hmget(key, ...fields);
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, values]) => {
    if (error) throw error;
    return values as Array<string | null>;
  });
}

/**
 * Whether an entry whose `expiresAt` field (epoch ms, written on the BFF's clock) holds this
 * value is still alive at `now`. The BFF judges expiry on `Date`, the lab's clock in the lab;
 * Redis's TTL on real time only frees the memory afterwards.
 */
export function isLive(expiresAt: string | null, now: number): boolean {
  const at = Number(expiresAt);
  return expiresAt !== null && Number.isFinite(at) && at > now;
}
