import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DefenceSwitches } from '@lab/shared';
import { installLabClock, instrumentBff } from '@lab/wing';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { MemorySessionStore } from './session-store.ts';
import { MemoryTokenStore } from './token-store.ts';

const config = loadConfigOrExit('bff', () => loadConfig(process.env));

const store = new MemorySessionStore();
const tokenStore = new MemoryTokenStore();
const defences = new DefenceSwitches(config.lab.weakened);
const flow = { current: config.lab.flow };
// The lab's instruments (trace, X-ray, /_lab control routes, the lab's clock), attached through the app's one hook.
const lab = instrumentBff({
  ...config,
  defences,
  flow,
  stores: { sessions: store, tokens: tokenStore },
  clock: config.lab.controlKey ? installLabClock() : undefined,
});
const app = createApp(config, { store, tokenStore, defences, flow, hook: lab.hook });

listenUntilStopped(
  'bff',
  app,
  config,
  () => console.log(`bff listening on http://localhost:${config.port} (public origin ${config.publicOrigin})`),
  { beforeStop: () => lab.close() }, // ends the X-ray streams, which would keep the server open
);
