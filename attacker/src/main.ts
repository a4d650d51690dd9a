import { ConfigError, DefenceSwitches, TraceRecorder, createJwtVerifier, createXrayKeySet } from '@lab/shared';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { LootStore } from './loot.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`attacker: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const recorder = new TraceRecorder('attacker');
recorder.fullView = config.lab.fullView;
// The X-ray shows whether a token that reached the attacker is a genuine one of the authorization server.
const issuer = config.topology.authserver.url;
recorder.verifier = createJwtVerifier({ issuer, keys: createXrayKeySet(`${issuer}/jwks`) });
const app = createApp(config, { loot: new LootStore(), recorder, defences: new DefenceSwitches(config.lab.weakened) });
const server = app.listen(config.port, config.host, () => {
  console.log(`attacker listening on ${config.origin}`);
});
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(`attacker: cannot listen on ${config.origin}: ${error.code ?? error.message}`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
