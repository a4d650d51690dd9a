import path from 'node:path';
import { makeLabEnv, startLab } from '@lab/launcher';
import { resolveTopology, type LabTopology } from '@lab/shared';
import { LabConnection } from '../engine/lab-connection.ts';
import { REPO_ROOT } from './repo-root.ts';

type Env = Readonly<Record<string, string | undefined>>;

const PORT_VARIABLES = ['SPA_PORT', 'BFF_PORT', 'API_PORT', 'AUTHSERVER_PORT', 'ATTACKER_PORT'] as const;

/**
 * The ports of a hands-on exercise's own lab: the lab's ports in force (the defaults, or the
 * `*_PORT` variables) moved by `LAB_EXERCISE_PORT_OFFSET` (default 20000: 25173, 23000…), so an
 * `npm start` lab on the usual ports is left alone.
 */
export function exerciseLabPorts(env: Env): Record<(typeof PORT_VARIABLES)[number], string> {
  const offset = Number(env.LAB_EXERCISE_PORT_OFFSET ?? 20_000);
  if (!Number.isInteger(offset) || offset < -60_000 || offset > 60_000) {
    throw new Error(`LAB_EXERCISE_PORT_OFFSET: expected an integer, got "${env.LAB_EXERCISE_PORT_OFFSET}"`);
  }
  const topology = resolveTopology(env);
  const port = {
    SPA_PORT: topology.spa.port,
    BFF_PORT: topology.bff.port,
    API_PORT: topology['resource-api'].port,
    AUTHSERVER_PORT: topology.authserver.port,
    ATTACKER_PORT: topology.attacker.port,
  };
  return Object.fromEntries(PORT_VARIABLES.map((name) => [name, String(port[name] + offset)])) as Record<(typeof PORT_VARIABLES)[number], string>;
}

export function exerciseLabTopology(env: Env): LabTopology {
  return resolveTopology({ ...env, ...exerciseLabPorts(env) });
}

/**
 * A lab of the exercise's own, built from the working tree as it is now: a lab started before the
 * learner's change still runs the old code. All defences on, its logs in `.lab/exercise-logs`.
 */
export async function startExerciseLab(env: Env): Promise<{ connection: LabConnection; stop(): Promise<void> }> {
  const labEnv = makeLabEnv(env, { ...exerciseLabPorts(env), LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '' });
  const lab = await startLab({ env: labEnv, logDir: path.join(REPO_ROOT, '.lab', 'exercise-logs') });
  return { connection: new LabConnection(lab.topology, labEnv.LAB_CONTROL_KEY as string), stop: () => lab.stop() };
}
