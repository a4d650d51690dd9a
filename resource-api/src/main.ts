import {
  DEFENCES,
  DefenceSwitches,
  TraceRecorder,
  createJwtVerifier,
  createTracedFetch,
  createXrayKeySet,
  listenUntilStopped,
  loadConfigOrExit,
  partyOfUrl,
} from '@lab/shared';
import { createApp } from './app.ts';
import { createAuthServerKeys } from './authserver-keys.ts';
import { loadConfig } from './config.ts';
import { createInMemoryNotesStore } from './notes-store.ts';

const config = loadConfigOrExit('resource-api', () => loadConfig(process.env));
const defences = new DefenceSwitches(config.lab.weakened);
const recorder = new TraceRecorder('resource-api');
recorder.fullView = config.lab.fullView;
// The X-ray's own check of the tokens it records (its own JWKS fetch, left out of the trace); the API's validation is verify-access-token.ts.
recorder.verifier = createJwtVerifier({ issuer: config.issuer, keys: createXrayKeySet(config.jwksUrl) });

const app = createApp(config, {
  // Fetched on first use and cached; a token with an unknown `kid` leads to one refetch (key rotation).
  getKey: createAuthServerKeys(
    new URL(config.jwksUrl),
    createTracedFetch(recorder, 'resource-api', (url) => partyOfUrl(config.topology, url)),
  ),
  notes: createInMemoryNotesStore(),
  defences,
  recorder,
});

listenUntilStopped('resource-api', app, config, () => {
  console.log(`resource-api listening on ${config.audience}`);
  if (config.lab.mode === 'public-client')
    console.warn(`resource-api: ANTI-PATTERN MODE (LAB_MODE=public-client): CORS allowed for ${config.topology.spa.url}`);
  for (const name of defences.weakened()) {
    if (DEFENCES[name].service === 'resource-api') console.warn(`resource-api: WEAKENED on purpose: ${DEFENCES[name].what}`);
  }
});
