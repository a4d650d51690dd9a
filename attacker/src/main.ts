import { DefenceSwitches, TraceRecorder, createJwtVerifier, createXrayKeySet, listenUntilStopped, loadConfigOrExit } from '@lab/shared';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { LootStore } from './loot.ts';

const config = loadConfigOrExit('attacker', () => loadConfig(process.env));

const recorder = new TraceRecorder('attacker');
recorder.fullView = config.lab.fullView;
// The X-ray shows whether a token that reached the attacker is a genuine one of the authorization server.
const issuer = config.topology.authserver.url;
recorder.verifier = createJwtVerifier({ issuer, keys: createXrayKeySet(`${issuer}/jwks`) });
const app = createApp(config, { loot: new LootStore(), recorder, defences: new DefenceSwitches(config.lab.weakened) });
listenUntilStopped('attacker', app, config, () => {
  console.log(`attacker listening on ${config.origin}`);
});
