import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import {
  LIFETIME_SCENARIOS,
  LabConnection,
  SCENARIOS,
  findScenario,
  isWeakenedRun,
  launchBrowser,
  listRefusalFaults,
  runScenario,
  type Scenario,
  type ScenarioResult,
} from '@lab/scenarios';
import { breakSignIn } from './support/break-sign-in.ts';
import { expectScenarioHeld } from './support/expect-scenario-held.ts';
import { TEST_LOG_DIR_NAME, TEST_PORTS } from './support/test-ports.ts';

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
  for (const scenario of SCENARIOS.filter((candidate) => !LIFETIME_SCENARIOS.includes(candidate))) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      const result = await runScenario(scenario, { lab, browser });
      expectScenarioHeld(result);
      // The leak is what a weakened run shows succeeding; no other run has one.
      const leaks = result.expectations.filter((expectation) => expectation.leak).map((expectation) => expectation.name);
      if (isWeakenedRun(scenario)) expect(leaks.length).toBeGreaterThan(0);
      else expect(leaks).toEqual([]);
    });
  }
});

/**
 * The lifetime scenarios move the lab's clock by hours (a BFF session's 8 h, the authorization
 * server's): they run in a lab of their own (the test lab's ports + 1500), so that no other test
 * runs against a lab whose time is hours ahead of its own.
 */
describe('lifetime scenarios, in a lab of their own', () => {
  let own: RunningLab | undefined;
  let ownLab: LabConnection;
  beforeAll(async () => {
    const ports = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, String(Number(port) + 1500)]));
    const env = makeLabEnv(process.env, { ...ports, LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '' });
    own = await startLab({ env, logDir: path.join(import.meta.dirname, '..', '.lab', `${TEST_LOG_DIR_NAME}-lifetimes`) });
    ownLab = new LabConnection(own.topology, env.LAB_CONTROL_KEY!);
  }, 60_000);
  afterAll(async () => {
    await own?.stop();
  });

  for (const scenario of LIFETIME_SCENARIOS) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      const result = await runScenario(scenario, { lab: ownLab, browser });
      expectScenarioHeld(result);
      expect(result.expectations.filter((expectation) => expectation.leak)).toEqual([]);
    });
  }
});

/** A weakened attack run, replayed against the lab as built (its defended twin's set-up). */
function runWithEveryDefenceOn(scenario: Scenario): Promise<ScenarioResult> {
  return runScenario(scenario, { lab, browser, setupOverride: scenario.attack!.defended });
}

/** It failed because the attack was refused: no run error, exactly the leak failed, everything else held. */
function expectRefusedAtTheLeak(result: ScenarioResult): void {
  expect(listRefusalFaults(result)).toEqual([]);
  expect(result.pass).toBe(false);
}

/**
 * An attack's weakened run asserts the leak. Run against the lab as built (no defence off), each
 * must fail, and fail at its leak only: proof that its success is due to the switched-off defence,
 * not to a test that cannot fail, nor to a crash, a timeout or a broken sign-in.
 */
describe('weakened attack runs fail at their leak when their defences are on', () => {
  for (const scenario of SCENARIOS.filter(isWeakenedRun)) {
    it(`${scenario.id} fails at its leak with every defence on`, async () => {
      expectRefusedAtTheLeak(await runWithEveryDefenceOn(scenario));
    });
  }

  it('a weakened run whose sign-in is broken on purpose fails that check', async () => {
    const twin = breakSignIn(findScenario('attack-session-fixation-weakened')!);
    const result = await runWithEveryDefenceOn(twin);
    // The old check (any failed run) would have taken this for a refused attack.
    expect(result.pass).toBe(false);
    expect(() => expectRefusedAtTheLeak(result)).toThrow();
    expect(listRefusalFaults(result)).toEqual([
      expect.stringMatching(/^the run stopped with an error: /),
      'no expectation is marked as the leak (s.expectLeak / s.checkLeak), so nothing shows the attack refused',
    ]);
    const signIn = result.steps.find((step) => step.action.includes('signs in'));
    expect(
      signIn?.exchanges.find((exchange) => exchange.method === 'POST' && /\/interaction\/[^/]+\/login$/.test(new URL(exchange.url).pathname))?.status,
    ).toBe(401);
  });
});
