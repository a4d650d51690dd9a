import type { TestProject } from 'vitest/node';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import type { LabTopology } from '@lab/shared';
import { TEST_PORTS } from './test-ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    topology: LabTopology;
  }
}

let lab: RunningLab | undefined;

/** Starts the real lab once for all end-to-end tests and stops it afterwards. */
export async function setup(project: TestProject): Promise<void> {
  lab = await startLab({ env: makeLabEnv(process.env, { ...TEST_PORTS, LAB_WEAKEN: '' }) });
  project.provide('topology', lab.topology);
}

export async function teardown(): Promise<void> {
  await lab?.stop();
}
