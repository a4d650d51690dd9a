import { Redis } from 'ioredis';
import { errors } from 'oidc-provider';

/**
 * The authorization server's connection to the run's Redis, set to fail fast rather than hang:
 * a command that takes longer than `commandTimeout` (2 s), or any command while the connection is
 * down (no offline queue), fails at once and the request gets a 503; the client reconnects by
 * itself, at most a second apart, for as long as the process runs.
 */
export function createStorageConnection(url: string, log: (line: string) => void = (line) => console.error(line)): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    // As the BFF's: a healthy Redis answers in microseconds; 2 s is room for a saturated machine, and still a bound.
    commandTimeout: 2_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
  });
  let up = false;
  client.on('ready', () => {
    up = true;
    log('authserver: storage (Redis) connected');
  });
  client.on('error', (error: Error) => {
    if (!up) return;
    up = false;
    log(`authserver: storage (Redis) unavailable: ${error.message}`);
  });
  return client;
}

/** Waits until the connection is ready, or `withinMs` passed (the server starts anyway and answers 503 meanwhile). */
export async function connectStorage(client: Redis, withinMs: number): Promise<boolean> {
  client.connect().catch(() => {});
  const deadline = Date.now() + withinMs;
  while (client.status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return client.status === 'ready';
}

/**
 * The storage could not be reached: oidc-provider answers with this status and code instead of
 * its generic 500 `server_error`. `temporarily_unavailable` is OAuth's code for "try again later"
 * (RFC 6749 §4.1.2.1); nothing was decided, so a client may retry the same request.
 */
export class StorageUnavailable extends errors.OIDCProviderError {
  override allow_redirect = false;

  constructor() {
    super(503, 'temporarily_unavailable');
    this.error_description = "The Authorization Server's storage cannot be reached right now: try again in a moment.";
  }
}

/** Runs one storage operation; a Redis failure (timeout, refused, reset) becomes `StorageUnavailable`. */
export async function inStorage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof errors.OIDCProviderError) throw error;
    throw new StorageUnavailable();
  }
}
