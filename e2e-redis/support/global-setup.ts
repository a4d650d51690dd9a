import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import { TEST_LOG_DIR_NAME } from '../../e2e/support/test-ports.ts';
import { REDIS_TEST_PORTS } from './redis-test-ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which set-up the lab of these tests runs: `redis-2` here (LAB_STORE=redis, two BFF instances); unset in the default e2e lab. */
    labShape: string;
  }
}

let lab: RunningLab | undefined;

/** Starts the production-shaped lab once (Redis, two BFF instances) for the Redis set-up's tests. */
export async function setup(project: TestProject): Promise<void> {
  const env = makeLabEnv(process.env, {
    ...REDIS_TEST_PORTS,
    LAB_STORE: 'redis',
    LAB_BFF_INSTANCES: '2',
    LAB_WEAKEN: '',
    LAB_MODE: '',
    LAB_FLOW: '',
    LAB_CONTROL_KEY: '',
  });
  lab = await startLab({ env, logDir: path.join(import.meta.dirname, '..', '..', '.lab', `${TEST_LOG_DIR_NAME}-redis`), log: () => {} });
  project.provide('topology', lab.topology);
  project.provide('controlKey', env.LAB_CONTROL_KEY as string);
  project.provide('labShape', 'redis-2');
}

export async function teardown(): Promise<void> {
  await lab?.stop();
}
