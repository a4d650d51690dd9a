import type { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** What the log lines call this connection, e.g. `bff: session store`. */
  readonly name: string;
  /** How long one command may take before the request that needs it is answered 503 (ms). */
  readonly commandTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * A command's time limit. A healthy Redis answers in well under a millisecond; on a saturated
 * machine (the full load test at a load average of 20 on two cores) answers waited past 1 s, and a
 * 1 s limit turned that wait into 503s: 2 s leaves room for a slow machine and still bounds a hang.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/**
 * A service's connection to the run's Redis, set up to fail fast rather than to hang:
 * - `commandTimeout`: a Redis that stops answering (frozen, partitioned) costs a request at most
 *   this long, then a 503, instead of holding it until the browser gives up;
 * - `enableOfflineQueue: false`: while the connection is down, commands fail at once (503)
 *   instead of queueing without bound until Redis is back;
 * - reconnection never stops (`retryStrategy`), at most a second apart, so the service serves
 *   what is stored again as soon as Redis is back, without a restart.
 *
 * ioredis rather than node-redis: it has these three as plain options, and `defineCommand` for
 * Lua scripts (sent by SHA, re-sent only when Redis lost them after a restart). It is loaded here,
 * on first use, not at start: a service that keeps its state in memory (the default) never needs
 * it, and loading it costs about 7 MB of memory (docs/performance.md).
 */
export async function createRedisConnection(url: string, options: RedisConnectionOptions): Promise<Redis> {
  const log = options.log ?? ((line: string) => console.error(line));
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 1_000),
  });
  // One line per change of state, not one per failed reconnection attempt.
  let up = false;
  client.on('ready', () => {
    up = true;
    log(`${options.name} (Redis) connected`);
  });
  client.on('error', (error: Error) => {
    if (!up) return;
    up = false;
    log(`${options.name} (Redis) unavailable: ${error.message}`);
  });
  return client;
}

/** Waits until the connection is ready, or gives up after `withinMs` (the service starts anyway, and answers 503 until Redis is there). */
export async function connectRedis(client: Redis, withinMs: number): Promise<boolean> {
  client.connect().catch(() => {}); // failures are retried by the client itself
  const deadline = Date.now() + withinMs;
  while (client.status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return client.status === 'ready';
}
