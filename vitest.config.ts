import { defineConfig } from 'vitest/config';

/**
 * One runner for the whole lab. Unit tests live beside each service (`<service>/test`); the
 * end-to-end tests (`e2e/`) run against the real services (the four OAuth parties and the attacker's site), started once by the global set-up
 * on their own ports, so a lab you are using with `npm start` is left alone.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{shared,kit,lab-wing,authserver,resource-api,bff,spa,launcher,scenarios}/test/**/*.test.ts'],
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['e2e/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One lab, one browser process per file; files run one after another on 2 cores.
          fileParallelism: false,
          sequence: { groupOrder: 0 },
          // What the browser shows arrives through the lab's services: on a busy machine, in more
          // than the default second. A poll still ends as soon as its condition holds.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        test: {
          // The production shape (LAB_STORE=redis, two BFF instances): its own lab, with the
          // operations scenarios, its faults, and the concurrency test again at two instances. A
          // group of its own (groupOrder 1), one file at a time: never beside the unit tests, nor
          // beside the e2e project's files (vitest runs a single-worker project's files last, alone).
          name: 'e2e-redis',
          include: ['e2e-redis/**/*.test.ts', 'e2e/concurrency.test.ts'],
          globalSetup: ['e2e-redis/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
