/**
 * The BFF as a deployment without the lab would run it: the same `createApp`, configuration and
 * stores as bff/src/main.ts, and no hook (no trace, no X-ray, no `/_lab` routes, no lab clock).
 * scripts/measure-hook-cost.ts runs it beside the lab's own BFF, both on the run's Redis, to
 * measure what the lab's instruments cost a proxied call.
 */
import { listenUntilStopped, loadConfigOrExit } from '@lab/kit';
import { DefenceSwitches } from '@lab/shared';
import { loadConfig } from '../../bff/src/config.ts';
import { createApp } from '../../bff/src/app.ts';
import { createStores } from '../../bff/src/stores.ts';
import { createDpopKeyPair } from '../../bff/src/dpop-key.ts';

const config = loadConfigOrExit('bff', () => loadConfig(process.env));
const stores = await createStores(config, 'bff (without the lab)');
const defences = new DefenceSwitches(config.lab.weakened);
const app = createApp(config, { ...stores, defences, dpopKeyPair: createDpopKeyPair(config.dpopJwk) });
listenUntilStopped('bff', app, config, () => console.log(`bff without the lab listening on http://localhost:${config.port}`));
