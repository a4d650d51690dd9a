import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import { LabConnection, fieldsOf } from '@lab/scenarios';
import { TEST_LOG_DIR_NAME, TEST_PORTS } from './support/test-ports.ts';

/**
 * Step mode is deterministic (`npm run scenario -- flow-recommended --step`): whatever the pause
 * between two Enter presses, nothing expires between steps unless a step says it moves the clock.
 * The reproduction: ~10 s between presses, 8 s access tokens, a refresh in step 7 before
 * step 9 says "…later, the BFF refreshes". A lab of its own (ports +2500): its time is moved an
 * hour ahead and held, which no other test's lab should share.
 */
let lab: RunningLab;
let connection: LabConnection;
const REPO = path.join(import.meta.dirname, '..');
const run = promisify(execFile);
/** Short access tokens (through the lab's settings; the scenario reads the lifetime from there), to keep the pauses short. */
const LIFETIME_SECONDS = 8;
/** Longer than an access token lives: had the clock run, the token would have expired in each pause. */
const PAUSE_MS = LIFETIME_SECONDS * 1000 + 500;

beforeAll(async () => {
  const ports = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, String(Number(port) + 2500)]));
  const env = makeLabEnv(process.env, { ...ports, LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '', LAB_XRAY: 'on' });
  lab = await startLab({ env, logDir: path.join(REPO, '.lab', `${TEST_LOG_DIR_NAME}-step-clock`) });
  connection = new LabConnection(lab.topology, lab.env.LAB_CONTROL_KEY!);
  await connection.update('authserver', { accessTokenTtlSeconds: LIFETIME_SECONDS });
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

/** `npm run scenario -- …` against this lab, with its output collected as it comes. */
function startCli(...args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scenarios/src/cli.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, ...lab.env, NO_COLOR: '1', COLUMNS: '' },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Where the authorization server's trace is now. */
async function authserverMark(): Promise<number> {
  return (await connection.traceMarks()).get('authserver') ?? 0;
}

describe('npm run scenario -- flow-recommended --step', () => {
  it('holds the lab time while it waits for Enter: with pauses longer than a token lives, the refresh comes at step 9, not before', async () => {
    const cli = startCli('flow-recommended', '--step');
    const marks = new Map<number, number>();
    const heldReadings: Array<Array<{ now: string; held?: boolean }>> = [];
    let exitCode: number | null;
    try {
      for (let number = 1; number <= 10; number++) {
        await until(() => cli.output().includes(`[Enter] step ${number}:`), `the prompt of step ${number}`);
        marks.set(number, await authserverMark());
        // From the sign-in (step 5) on, pauses longer than the token lives: the instructor talks.
        if (number >= 6 && number <= 9) {
          const before = await connection.clocks();
          await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
          heldReadings.push(before, await connection.clocks());
        }
        cli.child.stdin.write('\n');
      }
      exitCode = await cli.exited;
    } finally {
      cli.child.kill();
    }

    const text = cli.output();
    // Every grant the authorization server received, by the step it came in.
    const events = await connection.traceSince(new Map([['authserver', 0]]));
    const grants = events
      .filter((event) => event.service === 'authserver' && event.direction === 'inbound' && new URL(event.url).pathname === '/token')
      .map((event) => ({ seq: event.seq, grant: fieldsOf(event.requestBody).grant_type }));
    const stepOf = (seq: number) => Math.max(...[...marks].filter(([, mark]) => mark < seq).map(([number]) => number));
    expect(grants.map(({ seq, grant }) => `step ${stepOf(seq)}: ${String(grant)}`)).toEqual(['step 5: authorization_code', 'step 9: refresh_token']);
    // Step 9 says it moves the clock, and by how much.
    expect(text).toMatch(/The lab's clock moves \d+ s forward, in every service and the browser/);
    expect(text).toMatch(/^Step mode: the lab's time stands still between steps; first it moves 1 h forward, to an hour ahead of real time/m);
    expect(text).toContain('PASS flow-recommended: 40/40 expectations held');
    expect(exitCode, text).toBe(0);
    // Each pause: every service said held, and its time had not moved at all.
    for (let index = 0; index < heldReadings.length; index += 2) {
      const [before, after] = [heldReadings[index]!, heldReadings[index + 1]!];
      expect(before.length).toBe(4);
      expect(before.every((clock) => clock.held === true)).toBe(true);
      expect(after.map((clock) => clock.now)).toEqual(before.map((clock) => clock.now));
    }

    // The run is over: the lab's time runs again everywhere.
    const after = await connection.clocks();
    expect(after.map((clock) => clock.held)).toEqual([false, false, false, false]);
  }, 180_000);

  it('lets the lab time run again when its input ends (no Enter will ever come), exit 1', async () => {
    const cli = startCli('flow-recommended', '--step');
    try {
      await until(() => cli.output().includes('[Enter] step 1:'), 'the prompt of step 1');
      expect((await connection.clocks()).map((clock) => clock.held)).toEqual([true, true, true, true]);
      cli.child.stdin.end();
      expect(await cli.exited).toBe(1);
    } finally {
      cli.child.kill();
    }
    expect(cli.output()).toContain("The input ended: restoring the lab's settings...");
    expect((await connection.clocks()).map((clock) => clock.held)).toEqual([false, false, false, false]);
  }, 90_000);

  it('says the lab time is held (npm run lab -- time, the X-ray), and lets it run again on Ctrl-C', async () => {
    const cli = startCli('flow-recommended', '--step');
    try {
      await until(() => cli.output().includes('[Enter] step 1:'), 'the prompt of step 1');
      expect((await connection.clocks()).map((clock) => clock.held)).toEqual([true, true, true, true]);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scenarios/src/lab-cli.ts', 'time'], {
        cwd: REPO,
        env: { ...process.env, ...lab.env },
        timeout: 30_000,
      });
      expect(stdout).toMatch(/^Lab time: .* UTC, ahead of real time by (59 min|1 h)/);
      expect(stdout).toContain(
        "  held: the lab's time stands still (a step-by-step scenario run holds it between its steps; it runs on at the next step, or within 2 min of the run's end)",
      );
      const state = await fetch(`${lab.topology.spa.url}/bff/xray/state`, { headers: { 'X-CSRF': '1' } });
      expect(((await state.json()) as { clock?: { held?: boolean } }).clock?.held).toBe(true);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(130);
    } finally {
      cli.child.kill();
    }
    expect(cli.output()).toContain("Interrupted: restoring the lab's settings...");
    const clocks = await connection.clocks();
    expect(clocks.map((clock) => clock.held)).toEqual([false, false, false, false]);
    const first = Date.parse(clocks[0]!.now);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(Date.parse((await connection.clocks())[0]!.now) - first).toBeGreaterThanOrEqual(150);
  }, 90_000);
});
