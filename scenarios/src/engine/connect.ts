import { makeLabEnv, readRunFile, startLab, type RunningLab } from '@lab/launcher';
import type { LabTopology } from '@lab/shared';
import { LabConnection } from './lab-connection.ts';

export interface ConnectedLab {
  readonly connection: LabConnection;
  /** True when this process started the lab (and so must stop it). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

/**
 * Uses the lab that `npm start` is running (found through `.lab/run.json`), or starts one for
 * this run and stops it afterwards.
 */
export async function connectToLab(env: Readonly<Record<string, string | undefined>> = process.env): Promise<ConnectedLab> {
  const run = readRunFile();
  if (run && (await allHealthy(run.topology))) {
    return { connection: new LabConnection(run.topology, run.controlKey), startedHere: false, stop: async () => undefined };
  }
  const labEnv = makeLabEnv(env);
  const lab: RunningLab = await startLab({ env: labEnv });
  return {
    connection: new LabConnection(lab.topology, labEnv.LAB_CONTROL_KEY!),
    startedHere: true,
    stop: () => lab.stop(),
  };
}

async function allHealthy(topology: LabTopology): Promise<boolean> {
  const checks = [topology.spa, topology.bff, topology['resource-api'], topology.authserver].map(async (location) => {
    try {
      return (await fetch(`${location.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  });
  return (await Promise.all(checks)).every(Boolean);
}
