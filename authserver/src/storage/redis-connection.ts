import type { Redis } from 'ioredis';
import { connectRedis, createRedisConnection } from '@lab/kit';
import { errors } from 'oidc-provider';

/** The authorization server's connection to the run's Redis (see the kit's `createRedisConnection`: it fails fast rather than hang). */
export function createStorageConnection(url: string, log: (line: string) => void = (line) => console.error(line)): Promise<Redis> {
  return createRedisConnection(url, { name: 'authserver: storage', log });
}

/** Waits until the connection is ready, or `withinMs` passed (the server starts anyway and answers 503 meanwhile). */
export const connectStorage = connectRedis;

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
