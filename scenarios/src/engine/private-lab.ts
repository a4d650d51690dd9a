import net from 'node:net';
import path from 'node:path';
import { makeLabEnv, startLab } from '@lab/launcher';
import { resolveTopology } from '@lab/shared';
import { REPO_ROOT } from '../exercises/repo-root.ts';
import type { ConnectedLab } from './connect.ts';
import { LabConnection } from './lab-connection.ts';

/**
 * A lab of the scenario runner's own, beside the one it connected to: `npm run scenarios` runs
 * scenarios side by side, and two scenarios can never share one lab (each sets the lab's
 * defences and mode for its run, and reads the trace as "what my step caused"). Each private lab
 * has its own five services on ports the system says are free, its own control key, keeps
 * everything in memory (one BFF), and writes its logs to `.lab/logs-lane-<n>`. Stopped by `stop()`.
 */
export async function startPrivateLab(lane: number, base: Readonly<Record<string, string | undefined>> = process.env): Promise<ConnectedLab> {
  const ports: Record<string, string> = {};
  for (const location of Object.values(resolveTopology({}))) ports[location.portVariable] = String(await freePort(location.host));
  // Nothing of the connected lab's run is taken over: its key, its store, its instances.
  const { LAB_CONTROL_KEY: _key, LAB_STORE: _store, LAB_BFF_INSTANCES: _instances, ...inherited } = base;
  const env = makeLabEnv(inherited, { ...ports, LAB_STORE: 'memory', LAB_BFF_INSTANCES: '1' });
  const lab = await startLab({ env, logDir: path.join(REPO_ROOT, '.lab', `logs-lane-${lane}`) });
  return { connection: new LabConnection(lab.topology, env.LAB_CONTROL_KEY), startedHere: true, stop: () => lab.stop() };
}

/** A port nothing listens on now, on `host` (the system picks it; the lab binds it right after). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
