import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

/** What the README and the error say to install: Debian's package of the server. */
export const REDIS_PACKAGE_HINT = 'install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu package redis-server), or put a redis-server on PATH';

/** The `redis-server` executable on PATH, or undefined when there is none. */
export function findRedisServer(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The command line of the run's Redis: loopback only, in the foreground (the launcher owns the
 * process), its files in the run's own folder. No RDB snapshots; an append-only file, written
 * every second, so a Redis that is stopped and started again within the run finds what it held
 * (the `ops-redis-down` scenario), as a production Redis with persistence does.
 */
export function redisServerArgs(port: number, dataDir: string): string[] {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dataDir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--daemonize',
    'no',
    '--loglevel',
    'notice',
  ];
}

/** True once Redis at `url` answers PING (one try, bounded in time). */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, commandTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // a refused connection is the answer "not yet", not a crash
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
