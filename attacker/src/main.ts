import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DefenceSwitches } from '@lab/shared';
import { createXrayKeySet, installLabClock, instrumentService } from '@lab/wing';
import { loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { LootStore } from './loot.ts';

const config = loadConfigOrExit('attacker', () => loadConfig(process.env));

const loot = new LootStore();
const lab = instrumentService({
  ...config,
  service: 'attacker',
  defences: new DefenceSwitches(config.lab.weakened),
  clock: config.lab.controlKey ? installLabClock() : undefined,
  // The X-ray shows whether a token that reached the attacker is a genuine one of the authorization server.
  jwtKeys: createXrayKeySet(`${config.topology.authserver.url}/jwks`),
  extraRoutes: (router) => {
    // What the attacker has collected: the scenarios read it to see whether an attack worked.
    router.get('/loot', (ctx) => {
      ctx.body = { loot: loot.list() };
    });
    router.delete('/loot', (ctx) => {
      loot.clear();
      ctx.status = 204;
    });
  },
});
const app = createApp(config, { loot, hook: lab.hook });
listenUntilStopped('attacker', app, config, () => {
  console.log(`attacker listening on ${config.origin}`);
});
