import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DefenceSwitches } from '@lab/shared';
import { installLabClock, instrumentBff } from '@lab/wing';
import { loadConfig } from './config.ts';
import { createApp, type BffDeps } from './app.ts';
import { MemorySessionStore } from './session-store.ts';
import { MemoryTokenStore } from './token-store.ts';
import { connectRedis, createRedisClient } from './redis/redis-client.ts';
import { RedisSessionStore } from './redis/redis-session-store.ts';
import { RedisTokenStore } from './redis/redis-token-store.ts';
import { RedisRefreshLock } from './redis/redis-refresh-lock.ts';
import { RedisLoginClaims } from './redis/redis-login-claims.ts';
import { AUTHSERVER_TIMEOUT_SECONDS } from './oidc-client.ts';
import { createDpopKeyPair } from './dpop-key.ts';

const config = loadConfigOrExit('bff', () => loadConfig(process.env));
const name = config.instanceName ?? 'bff';

/** Where sessions and tokens live: this process's memory, or the run's Redis, shared by every instance. */
async function createStores(): Promise<Required<Pick<BffDeps, 'store' | 'tokenStore'>> & Pick<BffDeps, 'refreshLock' | 'loginClaims'>> {
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

const stores = await createStores();
const defences = new DefenceSwitches(config.lab.weakened);
const flow = { current: config.lab.flow };
// The lab's instruments (trace, X-ray, /_lab control routes, the lab's clock), attached through the app's one hook.
const lab = instrumentBff({
  ...config,
  defences,
  flow,
  stores: { sessions: stores.store, tokens: stores.tokenStore },
  instance: { name: config.instanceName, store: config.store, siblingUrls: config.siblingUrls, port: config.port },
  clock: config.lab.controlKey ? installLabClock() : undefined,
});
const app = createApp(config, { ...stores, defences, flow, hook: lab.hook, dpopKeyPair: createDpopKeyPair(config.dpopJwk) });

listenUntilStopped(
  'bff',
  app,
  config,
  () =>
    console.log(
      `${name} listening on http://localhost:${config.port} (public origin ${config.publicOrigin}; sessions in ${config.store.kind === 'redis' ? config.store.url : 'memory'})`,
    ),
  { beforeStop: () => lab.close() }, // ends the X-ray streams, which would keep the server open
);
