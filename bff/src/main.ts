import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DefenceSwitches } from '@lab/shared';
import { installLabClock, instrumentBff } from '@lab/wing';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { createStores } from './stores.ts';
import { createDpopKeyPair } from './dpop-key.ts';

const config = loadConfigOrExit('bff', () => loadConfig(process.env));
const name = config.instanceName ?? 'bff';

const stores = await createStores(config, name);
const defences = new DefenceSwitches(config.lab.weakened);
const flow = { current: config.lab.flow };
// The lab's instruments (trace, X-ray, /_lab control routes, the lab's clock), attached through the app's one hook.
const lab = instrumentBff({
  ...config,
  defences,
  flow,
  stores: { sessions: stores.store, tokens: stores.tokenStore },
  instance: { name: config.instanceName, store: config.store, siblingUrls: config.siblingUrls, port: config.port },
  clock: config.lab.controlKey ? installLabClock() : undefined,
});
const app = createApp(config, { ...stores, defences, flow, hook: lab.hook, dpopKeyPair: createDpopKeyPair(config.dpopJwk) });

listenUntilStopped(
  'bff',
  app,
  config,
  () =>
    console.log(
      `${name} listening on http://localhost:${config.port} (public origin ${config.publicOrigin}; sessions in ${config.store.kind === 'redis' ? config.store.url : 'memory'})`,
    ),
  { beforeStop: () => lab.close() }, // ends the X-ray streams, which would keep the server open
);
