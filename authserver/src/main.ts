import { ConfigError, DefenceSwitches, TraceRecorder, createJwtVerifier, localKeySetOf } from '@lab/shared';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { generateSigningJwk } from './signing-key.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`authserver: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const signingJwk = config.signingJwk ?? (await generateSigningJwk());
const recorder = new TraceRecorder('authserver');
recorder.fullView = config.lab.fullView;
// The X-ray shows whether each token it records was signed by this server's key.
recorder.verifier = createJwtVerifier({ issuer: config.issuer, keys: localKeySetOf(signingJwk) });
const app = createApp(config, { signingJwk, defences: new DefenceSwitches(config.lab.weakened), recorder });

app.on('server_error', (_ctx, error: Error) => {
  console.error(`authserver: server error: ${error.message}`);
});

const server = app.listen(config.port, config.host, () => {
  console.log(`authserver listening on ${config.issuer} (issuer ${config.issuer})`);
  if (config.lab.mode === 'public-client') console.warn(`authserver: ANTI-PATTERN MODE (LAB_MODE=public-client): the public client ${config.publicClient.clientId} is allowed`);
});
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(`authserver: cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
