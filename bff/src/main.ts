import { DefenceSwitches, loadConfigOrExit, TraceRecorder, createJwtVerifier, createXrayKeySet, listenUntilStopped } from '@lab/shared';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { MemorySessionStore } from './session-store.ts';
import { MemoryTokenStore } from './token-store.ts';
import { createXrayFeed } from './xray/trace-feed.ts';

const config = loadConfigOrExit('bff', () => loadConfig(process.env));

const recorder = new TraceRecorder('bff');
recorder.fullView = config.lab.fullView;
// The X-ray shows whether each token it records was signed by the authorization server (its JWKS, fetched apart from the flow).
recorder.verifier = createJwtVerifier({ issuer: config.issuer, keys: createXrayKeySet(`${config.issuer}/jwks`) });
const xrayFeed = config.xray ? createXrayFeed(config, recorder) : undefined;
const app = createApp(config, {
  xrayFeed,
  store: new MemorySessionStore(),
  tokenStore: new MemoryTokenStore(),
  defences: new DefenceSwitches(config.lab.weakened),
  recorder,
});

listenUntilStopped(
  'bff',
  app,
  config,
  () => console.log(`bff listening on http://localhost:${config.port} (public origin ${config.publicOrigin})`),
  { beforeStop: () => xrayFeed?.close() }, // ends the X-ray streams, which would keep the server open
);
