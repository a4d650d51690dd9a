import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DEFENCES, DefenceSwitches } from '@lab/shared';
import { installLabClock, instrumentResourceApi } from '@lab/wing';
import { createApp } from './app.ts';
import { createAuthServerKeys } from './authserver-keys.ts';
import { loadConfig } from './config.ts';
import { createInMemoryNotesStore } from './notes-store.ts';
import { createRunSettings } from './run-settings.ts';

const config = loadConfigOrExit('resource-api', () => loadConfig(process.env));
const defences = new DefenceSwitches(config.lab.weakened);
const settings = createRunSettings(config);
const notes = createInMemoryNotesStore();
// The lab's instruments (trace, /_lab control routes, the lab's clock), attached through the app's one hook.
const lab = instrumentResourceApi({ ...config, defences, settings, notes, clock: config.lab.controlKey ? installLabClock() : undefined });

const app = createApp(config, {
  // Fetched on first use and cached; a token with an unknown `kid` leads to one refetch (key rotation).
  getKey: createAuthServerKeys(new URL(config.jwksUrl), lab.hook.fetch),
  notes,
  defences,
  settings,
  hook: lab.hook,
});

listenUntilStopped('resource-api', app, config, () => {
  console.log(`resource-api listening on ${config.audience}`);
  if (config.lab.mode === 'public-client')
    console.warn(`resource-api: ANTI-PATTERN MODE (LAB_MODE=public-client): CORS allowed for ${config.topology.spa.url}`);
  for (const name of defences.weakened()) {
    if (DEFENCES[name].service === 'resource-api') console.warn(`resource-api: WEAKENED on purpose: ${DEFENCES[name].what}`);
  }
});
