import { show } from './narrate.ts';
import type { Expectation, ScenarioResult } from './scenario.ts';

/**
 * Why a weakened attack run, replayed against the lab as built, does not show its attack refused
 * for the right reason; no line when it does. The right reason: the run ends without an error,
 * every expectation marked as the leak (`expectLeak`, `checkLeak`) fails, and every other one (the
 * sign-in, the set-up, what the attack cannot change) holds. A failed run alone proves nothing: a
 * crash, a timeout or a broken sign-in fails it too.
 */
export function listRefusalFaults(result: ScenarioResult): string[] {
  const faults: string[] = [];
  if (result.error !== undefined) faults.push(`the run stopped with an error: ${result.error}`);
  const leaks = result.expectations.filter((expectation) => expectation.leak);
  if (leaks.length === 0) faults.push('no expectation is marked as the leak (s.expectLeak / s.checkLeak), so nothing shows the attack refused');
  for (const expectation of result.expectations) {
    if (expectation.leak && expectation.pass) faults.push(`a leak held with every defence on: ${describe(expectation)}`);
    if (!expectation.leak && !expectation.pass) faults.push(`an expectation that is not the leak failed: ${describe(expectation)}`);
  }
  return faults;
}

function describe(expectation: Expectation): string {
  return `${expectation.name}: expected ${show(expectation.expected)}, got ${show(expectation.actual)}`;
}
