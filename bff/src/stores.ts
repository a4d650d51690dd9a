import type { BffConfig } from './config.ts';
import type { BffDeps } from './app.ts';
import { MemorySessionStore } from './session-store.ts';
import { MemoryTokenStore } from './token-store.ts';
import { connectRedis, createRedisClient } from './redis/redis-client.ts';
import { RedisSessionStore } from './redis/redis-session-store.ts';
import { RedisTokenStore } from './redis/redis-token-store.ts';
import { RedisRefreshLock } from './redis/redis-refresh-lock.ts';
import { RedisLoginClaims } from './redis/redis-login-claims.ts';
import { AUTHSERVER_TIMEOUT_SECONDS } from './oidc-client.ts';

export type BffStores = Required<Pick<BffDeps, 'store' | 'tokenStore'>> & Pick<BffDeps, 'refreshLock' | 'loginClaims'>;

/** Where sessions and tokens live: this process's memory, or the run's Redis, shared by every instance. */
export async function createStores(config: BffConfig, name: string): Promise<BffStores> {
  if (config.store.kind === 'memory') return { store: new MemorySessionStore(), tokenStore: new MemoryTokenStore() };
  const redis = await createRedisClient(config.store.url, { log: (line) => console.error(line.replace(/^bff:/, `${name}:`)) });
  if (!(await connectRedis(redis, 5_000)))
    console.error(`${name}: Redis at ${config.store.url} is not answering yet; answering 503 session_store_unavailable until it does`);
  return {
    store: new RedisSessionStore(redis),
    tokenStore: new RedisTokenStore(redis),
    // Longer than a refresh can take: discovery and the token request, each bounded by the back-channel timeout.
    refreshLock: new RedisRefreshLock(redis, 3 * AUTHSERVER_TIMEOUT_SECONDS * 1000),
    loginClaims: new RedisLoginClaims(redis),
  };
}
