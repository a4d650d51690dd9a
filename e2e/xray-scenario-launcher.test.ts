import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import { launchBrowser } from '@lab/scenarios';
import { TEST_LOG_DIR_NAME, TEST_PORTS } from './support/test-ports.ts';

/**
 * Issue 13, from outside: with the lab's control key, the X-ray lists the scenarios and runs one
 * against the lab; the audience watches each step's "Look at", large, and its exchanges in the
 * swim lanes. A lab of its own (ports +900): a scenario switches the lab's settings while it runs.
 * Every service runs, the attacker's too: the scenario CLI uses this lab only when all answer.
 */
let lab: RunningLab;
let browser: Browser;
let spa: string;
let key: string;
const REPO = path.join(import.meta.dirname, '..');
const SCENARIO = 'role-user-agent';

beforeAll(async () => {
  const ports = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, String(Number(port) + 1300)]));
  const env = makeLabEnv(process.env, { ...ports, LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '', LAB_XRAY: 'on' });
  lab = await startLab({ env, logDir: path.join(REPO, '.lab', `${TEST_LOG_DIR_NAME}-scenario-launcher`) });
  spa = lab.topology.spa.url;
  key = lab.env.LAB_CONTROL_KEY!;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe("the instructor's scenario launcher in the X-ray", () => {
  it('runs a scenario: its steps\' "Look at" shown large, the result, and its exchanges in the swim lanes', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${spa}/#xray-key=${encodeURIComponent(key)}`);
    await page.getByTestId('xray-panel').waitFor();
    const select = page.getByTestId('xray-scenarios-select');
    await expect.poll(() => select.locator(`option[value="${SCENARIO}"]`).count(), { timeout: 20_000 }).toBe(1);
    await select.selectOption(SCENARIO);
    await page.getByTestId('xray-scenarios-run').click();

    const look = page.getByTestId('xray-scenario-look');
    await look.waitFor({ timeout: 30_000 });
    expect(await look.textContent()).toMatch(/^Look at: \S/);
    expect(await page.getByTestId('xray-scenario-step').textContent()).toMatch(/^Step \d+: /);
    // Large, for a projector: twice the panel's own text at least.
    expect(Number.parseFloat(await look.evaluate((element) => getComputedStyle(element).fontSize))).toBeGreaterThanOrEqual(28);

    const result = page.getByTestId('xray-scenario-result');
    await result.waitFor({ timeout: 45_000 });
    expect((await result.textContent())?.trim()).toBe('Passed: every expectation held.');
    // The scenario's own browser signed in: its callback reached the instructor's swim lanes.
    await expect.poll(() => page.locator('[data-testid="xray-arrow"][data-path="/bff/callback"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByTestId('xray-scenario-close').click();
    expect(await page.getByTestId('xray-scenario-stage').count()).toBe(0);
  }, 60_000);

  it("shows a learner's X-ray no launcher", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(spa);
    await page.getByTestId('xray-toggle').click();
    await page
      .getByTestId('xray-connection')
      .filter({ hasText: /^live$/ })
      .waitFor();
    expect(await page.getByTestId('xray-view').textContent()).toBe('Your session only');
    expect(await page.getByTestId('xray-scenarios-select').count()).toBe(0);
    expect(await page.getByTestId('xray-scenarios-run').count()).toBe(0);
  });
});
