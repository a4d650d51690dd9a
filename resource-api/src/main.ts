import { createRemoteJWKSet } from 'jose';
import { ConfigError, DEFENCES, DefenceSwitches } from '@lab/shared';
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
const defences = new DefenceSwitches(config.weakened);

const app = createApp(config, {
  // Fetched on first use and cached; an unknown `kid` triggers a refetch (key rotation).
  getKey: createRemoteJWKSet(new URL(config.jwksUrl)),
  notes: createInMemoryNotesStore(),
  defences,
});

app.listen(config.port, config.host, () => {
  console.log(`resource-api listening on ${config.audience}`);
  for (const name of defences.weakened()) {
    if (DEFENCES[name].service === 'resource-api') console.warn(`resource-api: WEAKENED on purpose: ${DEFENCES[name].what}`);
  }
});
