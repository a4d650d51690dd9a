import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LabConnection, SCENARIOS, launchBrowser, runScenario, show } from '@lab/scenarios';

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
