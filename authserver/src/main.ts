import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DefenceSwitches } from '@lab/shared';
import { installLabClock, instrumentAuthServer, localKeySetOf } from '@lab/wing';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { createRunSettings } from './run-settings.ts';
import { generateSigningJwk } from './signing-key.ts';
import { MemoryStorage } from './storage/memory-storage.ts';
import { connectStorage, createStorageConnection } from './storage/redis-connection.ts';
import { RedisStorage } from './storage/redis-storage.ts';

const config = loadConfigOrExit('authserver', () => loadConfig(process.env));

const signingJwk = config.signingJwk ?? (await generateSigningJwk());
const defences = new DefenceSwitches(config.lab.weakened);
const settings = createRunSettings(config);
/**
 * `LAB_STORE=redis`: grants, sessions and tokens in the run's Redis, so a restart of this process
 * loses nothing; else in this process's memory.
 */
async function createStorage(): Promise<RedisStorage | MemoryStorage> {
  if (config.store.kind !== 'redis') return new MemoryStorage({ maxAnonymousEntries: config.maxAnonymousEntries });
  const redis = await createStorageConnection(config.store.url);
  if (!(await connectStorage(redis, 5_000)))
    console.error(`authserver: Redis at ${config.store.url} is not answering yet; answering 503 temporarily_unavailable until it does`);
  return new RedisStorage(redis, { maxAnonymousEntries: config.maxAnonymousEntries });
}

const storage = await createStorage();
// The lab's instruments (trace, /_lab control routes, the lab's clock), attached through the app's
// one hook; the X-ray shows whether each token it records was signed by this server's key. Both
// storages judge expiry on the lab's clock, and count what a clock jump made expire.
const lab = instrumentAuthServer({
  ...config,
  defences,
  settings,
  jwtKeys: localKeySetOf(signingJwk),
  sessionTtlSeconds: config.sessionTtlSeconds,
  clock: config.lab.controlKey ? installLabClock() : undefined,
  expiring: (fromMs: number, toMs: number) => storage.expiringBetween(fromMs, toMs),
});
const app = createApp(config, { signingJwk, defences, settings, storage, hook: lab.hook });

app.on('server_error', (_ctx, error: Error) => {
  console.error(`authserver: server error: ${error.message}`);
});

listenUntilStopped('authserver', app, config, () => {
  console.log(`authserver listening on ${config.issuer} (issuer ${config.issuer})`);
  if (config.lab.mode === 'public-client')
    console.warn(`authserver: ANTI-PATTERN MODE (LAB_MODE=public-client): the public client ${config.publicClient.clientId} is allowed`);
});
