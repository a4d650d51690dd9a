import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/** What the run's Redis holds, read when the BFF's memory is read. */
export interface RedisMemoryReading {
  /** Redis's own count of the memory its data takes (`INFO memory`, `used_memory`). */
  readonly usedBytes: number;
  /** The redis-server process's resident set as the OS counts it (`VmRSS`). */
  readonly rssBytes: number;
  /** Keys in the database (`DBSIZE`): the BFF's, and the authorization server's models (grants, refresh tokens...). */
  readonly keys: number;
  /**
   * The BFF's sessions and tokens (`bff:session:*`, `bff:tokens:*`). Its other keys outlive a
   * session on purpose: a destroyed session id's tombstone and a redeemed `state`, 10 minutes each.
   */
  readonly sessionKeys: number;
}

/** Reads the run's Redis at `url`, whose process is `pid`. */
export async function readRedisMemory(url: string, pid: number): Promise<RedisMemoryReading> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('memory');
    const usedBytes = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
    const keys = await redis.dbsize();
    let sessionKeys = 0;
    for (const pattern of ['bff:session:*', 'bff:tokens:*']) {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        sessionKeys += batch.length;
        cursor = next;
      } while (cursor !== '0');
    }
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssBytes = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
    return { usedBytes, rssBytes, keys, sessionKeys };
  } finally {
    redis.disconnect();
  }
}
