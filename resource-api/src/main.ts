import { createRemoteJWKSet, customFetch } from 'jose';
import {
  ConfigError,
  DEFENCES,
  DefenceSwitches,
  TraceRecorder,
  createJwtVerifier,
  createTracedFetch,
  createXrayKeySet,
  partyOfUrl,
} from '@lab/shared';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import type { ResourceApiConfig } from './config.ts';
import { createInMemoryNotesStore } from './notes-store.ts';

function loadConfigOrExit(): ResourceApiConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`resource-api: ${error.message}`);
    process.exit(1);
  }
}

const config = loadConfigOrExit();
const defences = new DefenceSwitches(config.lab.weakened);
const recorder = new TraceRecorder('resource-api');
recorder.fullView = config.lab.fullView;
// The X-ray's own check of the tokens it records (its own JWKS fetch, left out of the trace); the API's validation is verify-access-token.ts.
recorder.verifier = createJwtVerifier({ issuer: config.issuer, keys: createXrayKeySet(config.jwksUrl) });

const app = createApp(config, {
  // Fetched on first use and cached; an unknown `kid` triggers a refetch (key rotation), at most
  // every 5 s, so a restarted authorization server's new key is picked up quickly.
  getKey: createRemoteJWKSet(new URL(config.jwksUrl), {
    cooldownDuration: 5_000,
    [customFetch]: createTracedFetch(recorder, 'resource-api', (url) => partyOfUrl(config.topology, url)),
  }),
  notes: createInMemoryNotesStore(),
  defences,
  recorder,
});

const server = app.listen(config.port, config.host, () => {
  console.log(`resource-api listening on ${config.audience}`);
  if (config.lab.mode === 'public-client') console.warn(`resource-api: ANTI-PATTERN MODE (LAB_MODE=public-client): CORS allowed for ${config.topology.spa.url}`);
  for (const name of defences.weakened()) {
    if (DEFENCES[name].service === 'resource-api') console.warn(`resource-api: WEAKENED on purpose: ${DEFENCES[name].what}`);
  }
});
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(`resource-api: cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
