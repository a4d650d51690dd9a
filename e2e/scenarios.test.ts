import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LabConnection, SCENARIOS, isWeakenedRun, launchBrowser, runScenario, show } from '@lab/scenarios';

const lab = new LabConnection(inject('topology'), inject('controlKey'));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Every scenario is a test: it passes only when each of its expectations held against the real
 * lab. A failure lists the expectations that did not hold, with expected and actual values.
 */
describe('scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      const result = await runScenario(scenario, { lab, browser });
      const failed = result.expectations.filter((expectation) => !expectation.pass).map((expectation) => `${expectation.name}: expected ${show(expectation.expected)}, got ${show(expectation.actual)}`);
      expect({ error: result.error, failed }).toEqual({ error: undefined, failed: [] });
      expect(result.expectations.length).toBeGreaterThan(0);
      expect(result.pass).toBe(true);
    });
  }
});

/**
 * An attack's weakened run asserts the leak. Run against the lab as built (no defence off), each
 * must fail: proof that its success is due to the switched-off defence, not to a test that cannot fail.
 */
describe('weakened attack runs fail when their defences are on', () => {
  for (const scenario of SCENARIOS.filter(isWeakenedRun)) {
    it(`${scenario.id} fails with every defence on`, async () => {
      const result = await runScenario(scenario, { lab, browser, setupOverride: scenario.attack!.defended });
      expect(result.pass).toBe(false);
    });
  }
});
