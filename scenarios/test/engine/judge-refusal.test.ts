import { describe, expect, it } from 'vitest';
import { listRefusalFaults } from '../../src/engine/judge-refusal.ts';
import type { Expectation, ScenarioResult } from '../../src/engine/scenario.ts';

const SIGNED_IN: Expectation = { name: 'alice is signed in', expected: 200, actual: 200, pass: true };
const LEAK_REFUSED: Expectation = { name: "Mallory reads alice's notes", expected: 'alice', actual: undefined, pass: false, leak: true };

/** A weakened attack run, replayed with every defence on. */
function replay(expectations: readonly Expectation[], error?: string): ScenarioResult {
  return {
    id: 'attack-example-weakened',
    title: 'An example attack: succeeds with example off',
    kind: 'attack',
    pass: false,
    weakened: [],
    mode: 'bff',
    durationMs: 1000,
    steps: [],
    expectations,
    ...(error === undefined ? {} : { error }),
  };
}

describe('listRefusalFaults', () => {
  it('finds none when only the leak fails and the run ends normally', () => {
    expect(listRefusalFaults(replay([SIGNED_IN, LEAK_REFUSED]))).toEqual([]);
  });

  it('names a set-up expectation that failed: a broken sign-in is not a refusal', () => {
    const brokenSignIn: Expectation = { ...SIGNED_IN, actual: 400, pass: false };
    expect(listRefusalFaults(replay([brokenSignIn, LEAK_REFUSED]))).toEqual([
      'an expectation that is not the leak failed: alice is signed in: expected 200, got 400',
    ]);
  });

  it('names the error of a run that stopped (a crash, a timeout)', () => {
    expect(listRefusalFaults(replay([SIGNED_IN, LEAK_REFUSED], 'page.waitForURL: Timeout 5000ms exceeded.'))).toEqual([
      'the run stopped with an error: page.waitForURL: Timeout 5000ms exceeded.',
    ]);
  });

  it('names a leak that held although every defence was on', () => {
    const leakHeld: Expectation = { ...LEAK_REFUSED, actual: 'alice', pass: true };
    expect(listRefusalFaults(replay([SIGNED_IN, LEAK_REFUSED, leakHeld]))).toEqual([
      'a leak held with every defence on: Mallory reads alice\'s notes: expected "alice", got "alice"',
    ]);
  });

  it('refuses a run with no leak marked: its failure could be anything', () => {
    const failed: Expectation = { ...SIGNED_IN, actual: 401, pass: false };
    expect(listRefusalFaults(replay([failed]))).toEqual([
      'no expectation is marked as the leak (s.expectLeak / s.checkLeak), so nothing shows the attack refused',
      'an expectation that is not the leak failed: alice is signed in: expected 200, got 401',
    ]);
  });
});
