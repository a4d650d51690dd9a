import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import type { LabTopology } from '@lab/shared';
import { TEST_LOG_DIR_NAME, TEST_PORTS } from './test-ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    topology: LabTopology;
    controlKey: string;
  }
}

let lab: RunningLab | undefined;

/** Starts the real lab once for all end-to-end tests and stops it afterwards. */
export async function setup(project: TestProject): Promise<void> {
  const env = makeLabEnv(process.env, { ...TEST_PORTS, LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '' });
  // Its own log folder: a lab you run with `npm start` keeps its logs in .lab/logs.
  lab = await startLab({ env, logDir: path.join(import.meta.dirname, '..', '..', '.lab', TEST_LOG_DIR_NAME) });
  project.provide('topology', lab.topology);
  project.provide('controlKey', env.LAB_CONTROL_KEY!);
}

export async function teardown(): Promise<void> {
  await lab?.stop();
}
