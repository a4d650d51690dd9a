import { makeLabEnv, readRunFile, startLab, type RunningLab } from '@lab/launcher';
import { resolveTopology, type LabTopology } from '@lab/shared';
import { LabConnection } from './lab-connection.ts';

export interface ConnectedLab {
  readonly connection: LabConnection;
  /** True when this process started the lab (and so must stop it). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

/**
 * Uses a running lab: the one named by the environment (`LAB_CONTROL_KEY` and the `*_PORT`
 * variables, as the test suite sets them), else the one `npm start` runs (found through
 * `.lab/run.json`); else starts one for this run and stops it afterwards.
 */
export async function connectToLab(env: Readonly<Record<string, string | undefined>> = process.env): Promise<ConnectedLab> {
  if (env.LAB_CONTROL_KEY) {
    const topology = resolveTopology(env);
    if (await allHealthy(topology)) {
      return { connection: new LabConnection(topology, env.LAB_CONTROL_KEY), startedHere: false, stop: async () => undefined };
    }
  }
  const run = readRunFile();
  if (run && (await allHealthy(run.topology))) {
    return { connection: new LabConnection(run.topology, run.controlKey), startedHere: false, stop: async () => undefined };
  }
  const labEnv = makeLabEnv(env);
  const lab: RunningLab = await startLab({ env: labEnv });
  return {
    connection: new LabConnection(lab.topology, labEnv.LAB_CONTROL_KEY),
    startedHere: true,
    stop: () => lab.stop(),
  };
}

async function allHealthy(topology: LabTopology): Promise<boolean> {
  const checks = Object.values(topology).map(async (location) => {
    try {
      return (await fetch(`${location.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  });
  return (await Promise.all(checks)).every(Boolean);
}
