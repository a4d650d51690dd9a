import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LabConnection, OPS_SCENARIOS, launchBrowser, runScenario } from '@lab/scenarios';
import { expectScenarioHeld } from '../e2e/support/expect-scenario-held.ts';

/**
 * The operations scenarios are tests too, in the set-up they need (Redis, two BFF instances):
 * each passes only when every expectation held against the real lab, with real process kills.
 */
const lab = new LabConnection(inject('topology'), inject('controlKey'));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('operations scenarios (Redis set-up)', () => {
  for (const scenario of OPS_SCENARIOS) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      const result = await runScenario(scenario, { lab, browser });
      expectScenarioHeld(result);
    });
  }
});
