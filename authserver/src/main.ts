import { DefenceSwitches, TraceRecorder, createJwtVerifier, listenUntilStopped, loadConfigOrExit, localKeySetOf } from '@lab/shared';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { generateSigningJwk } from './signing-key.ts';

const config = loadConfigOrExit('authserver', () => loadConfig(process.env));

const signingJwk = config.signingJwk ?? (await generateSigningJwk());
const recorder = new TraceRecorder('authserver');
recorder.fullView = config.lab.fullView;
// The X-ray shows whether each token it records was signed by this server's key.
recorder.verifier = createJwtVerifier({ issuer: config.issuer, keys: localKeySetOf(signingJwk) });
const app = createApp(config, { signingJwk, defences: new DefenceSwitches(config.lab.weakened), recorder });

app.on('server_error', (_ctx, error: Error) => {
  console.error(`authserver: server error: ${error.message}`);
});

listenUntilStopped('authserver', app, config, () => {
  console.log(`authserver listening on ${config.issuer} (issuer ${config.issuer})`);
  if (config.lab.mode === 'public-client')
    console.warn(`authserver: ANTI-PATTERN MODE (LAB_MODE=public-client): the public client ${config.publicClient.clientId} is allowed`);
});
