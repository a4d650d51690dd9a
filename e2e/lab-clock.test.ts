import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import { launchBrowser } from '@lab/scenarios';
import { TEST_LOG_DIR_NAME, TEST_PORTS } from './support/test-ports.ts';
import { type HttpUserAgent, signInOverHttp } from './support/http-sign-in.ts';

/**
 * The lab's clock, from outside, as the issue checks it: time travel with `npm run lab -- time`
 * makes tokens and sessions expire in every service at once, without waiting. A lab of its own
 * (ports +1100): its time is moved hours ahead, which no other test's lab should share.
 */
let lab: RunningLab;
let spa: string;
let key: string;
const run = promisify(execFile);
const REPO = path.join(import.meta.dirname, '..');

beforeAll(async () => {
  const ports = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, String(Number(port) + 1100)]));
  const env = makeLabEnv(process.env, { ...ports, LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '', LAB_XRAY: 'on' });
  lab = await startLab({ env, logDir: path.join(REPO, '.lab', `${TEST_LOG_DIR_NAME}-clock`), services: ['authserver', 'resource-api', 'bff', 'spa'] });
  spa = lab.topology.spa.url;
  key = lab.env.LAB_CONTROL_KEY!;
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

/** `npm run -s lab -- time …` against this lab. */
async function labTime(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scenarios/src/lab-cli.ts', 'time', ...args], {
    cwd: REPO,
    env: { ...process.env, ...lab.env },
    timeout: 30_000,
  });
  return stdout;
}

async function call(agent: HttpUserAgent, pathname: string) {
  const response = await agent.request(`${spa}${pathname}`, { headers: { 'X-CSRF': '1' }, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** alice's access token as the BFF holds it (the lab's breach route). */
async function heldAccessToken(): Promise<string> {
  const response = await fetch(`${lab.topology.bff.url}/_lab/session-store`, { headers: { 'X-Lab-Key': key } });
  const { sessions } = (await response.json()) as { sessions: Array<{ sub?: string; tokens: { accessToken: string } }> };
  const alices = sessions.filter((session) => session.sub === 'alice');
  return alices.at(-1)!.tokens.accessToken;
}

describe('the lab clock (npm run lab -- time)', () => {
  it('prints the lab time, then moves every service: a refresh at the next call, the old token refused as expired, later the session gone', async () => {
    expect(await labTime()).toMatch(/^Lab time: .* UTC, ahead of real time by none: the lab runs on real time/m);
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    const before = await call(agent, '/bff/user');
    expect(before.status).toBe(200);
    const expiresBefore = Date.parse((before.body.session as { accessTokenExpiresAt: string }).accessTokenExpiresAt);
    const oldToken = await heldAccessToken();

    const moved = await labTime('+301');
    expect(moved).toContain("Every service's time moved 5 min 1 s forward.");
    expect(moved).toMatch(/bff\s+access tokens \(held by the BFF\): 1/);
    // At the authorization server only the jti of the BFF's DPoP proof at the code exchange, kept
    // for the proof window (oidc-provider: 5 min, RFC 9449 §11.1), has expired.
    expect(moved).toMatch(/authserver\s+ReplayDetection: 1\n/);

    const notes = await call(agent, '/api/notes');
    expect(notes.status).toBe(200);
    const after = await call(agent, '/bff/user');
    const expiresAfter = Date.parse((after.body.session as { accessTokenExpiresAt: string }).accessTokenExpiresAt);
    expect(expiresAfter - expiresBefore).toBeGreaterThanOrEqual(300_000);

    // The token read before the jump, straight at the resource API: expired in the lab's time.
    const direct = await fetch(`${lab.topology['resource-api'].url}/notes`, { headers: { Authorization: `Bearer ${oldToken}` } });
    expect(direct.status).toBe(401);
    expect(direct.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(await direct.text()).toMatch(/expired/i);

    await labTime('+30000');
    const gone = await call(agent, '/bff/user');
    expect(gone, JSON.stringify(gone.body)).toMatchObject({ status: 401 });
    expect(await labTime()).toMatch(/ahead of real time by 8 h 25 min 1 s/);
  });

  it('refuses to go back, a malformed jump, and a call without the key', async () => {
    const clock = `${lab.topology.bff.url}/_lab/clock`;
    const put = (body: unknown, headers: Record<string, string> = { 'X-Lab-Key': key }) =>
      fetch(clock, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const back = await put({ offsetSeconds: 0 });
    expect(back.status).toBe(409);
    expect(await back.json()).toMatchObject({ error: 'clock_backwards' });
    for (const offsetSeconds of [-1, 1.5, '60', null, 1e12]) {
      const bad = await put({ offsetSeconds });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: 'invalid_setting' });
    }
    const keyless = await put({ offsetSeconds: 999_999 }, {});
    expect(keyless.status).toBe(401);
    expect(await keyless.json()).toMatchObject({ error: 'lab_key_required' });
    await expect(labTime('+5x')).rejects.toMatchObject({ code: 2 });
  });
});

describe("the instructor's X-ray moves the lab's time", () => {
  it('shows every viewer the lab time; only the instructor gets +1 min … +8 h, which moves every service', async () => {
    const browser = await launchBrowser();
    try {
      const learner = await (await browser.newContext()).newPage();
      await learner.goto(spa);
      await learner.getByTestId('xray-toggle').click();
      await expect.poll(() => learner.getByTestId('xray-clock-offset').textContent(), { timeout: 10_000 }).toMatch(/^\s*Lab time \+8 h 25 min\s*$/);
      expect(await learner.getByTestId('xray-clock-300').count()).toBe(0);

      const instructor = await (await browser.newContext()).newPage();
      await instructor.goto(`${spa}/#xray-key=${encodeURIComponent(key)}`);
      await instructor.getByTestId('xray-clock-300').click();
      await expect.poll(() => instructor.getByTestId('xray-clock-offset').textContent(), { timeout: 10_000 }).toMatch(/Lab time \+8 h 30 min/);
      expect(await labTime()).toMatch(/ahead of real time by 8 h 30 min 1 s/);
    } finally {
      await browser.close();
    }
  });

  it('refuses a learner who calls PUT /bff/xray/clock: 403 instructor_view_required, nothing moves', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'bob');
    const response = await agent.request(`${spa}/bff/xray/clock`, {
      method: 'PUT',
      headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 3600 }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'instructor_view_required' });
    expect(await labTime()).toMatch(/ahead of real time by 8 h 30 min 1 s/);
  });
});

describe('a service restarted after the lab time moved', () => {
  it("takes the others' lab time as it starts, instead of real time", async () => {
    const clockOf = async (url: string) =>
      ((await (await fetch(`${url}/_lab/clock`, { headers: { 'X-Lab-Key': key } })).json()) as { offsetSeconds: number }).offsetSeconds;
    const ahead = await clockOf(lab.topology.bff.url);
    expect(ahead).toBeGreaterThan(30_000);
    await lab.stopService('resource-api');
    await lab.startService('resource-api');
    await expect.poll(() => clockOf(lab.topology['resource-api'].url), { timeout: 10_000 }).toBe(ahead);
  });
});
