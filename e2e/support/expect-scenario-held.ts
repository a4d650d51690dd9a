import { expect } from 'vitest';
import { show, type ScenarioResult } from '@lab/scenarios';

/**
 * A scenario run as a test: every expectation held (a failure lists those that did not, with
 * expected and actual values), it checked at least one, and it ended without an error.
 */
export function expectScenarioHeld(result: ScenarioResult): void {
  const failed = result.expectations
    .filter((expectation) => !expectation.pass)
    .map((expectation) => `${expectation.name}: expected ${show(expectation.expected)}, got ${show(expectation.actual)}`);
  expect({ error: result.error, failed }).toEqual({ error: undefined, failed: [] });
  expect(result.expectations.length).toBeGreaterThan(0);
  expect(result.pass).toBe(true);
}
