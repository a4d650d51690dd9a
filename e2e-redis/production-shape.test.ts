import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import { TEST_LOG_DIR_NAME } from '../e2e/support/test-ports.ts';
import { type HttpUserAgent, signInOverHttp } from '../e2e/support/http-sign-in.ts';
import { shiftedPorts } from './support/redis-test-ports.ts';

/**
 * The production shape under faults, from outside: LAB_STORE=redis with two BFF instances. This
 * file starts a lab of its own (the test lab's ports + 900), since it kills, stops and restarts
 * its processes, Redis included.
 */
let lab: RunningLab;
let spa: string;
const launcherLines: string[] = [];

beforeAll(async () => {
  const env = makeLabEnv(process.env, {
    ...shiftedPorts(900),
    LAB_STORE: 'redis',
    LAB_BFF_INSTANCES: '2',
    LAB_WEAKEN: '',
    LAB_MODE: '',
    LAB_FLOW: '',
    LAB_CONTROL_KEY: '',
    LAB_XRAY: 'off',
  });
  lab = await startLab({
    env,
    logDir: path.join(import.meta.dirname, '..', '.lab', `${TEST_LOG_DIR_NAME}-redis-faults`),
    log: (line) => launcherLines.push(line),
  });
  spa = lab.topology.spa.url;
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

async function call(agent: HttpUserAgent, pathname: string) {
  const started = Date.now();
  const response = await agent.request(`${spa}${pathname}`, { headers: { 'X-CSRF': '1' }, signal: AbortSignal.timeout(20_000) });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    retryAfter: response.headers.get('retry-after'),
    ms: Date.now() - started,
  };
}

async function waitFor(condition: () => boolean | Promise<boolean>, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('several BFF instances, sessions in Redis', () => {
  it('runs Redis and two BFF instances, and lists them', () => {
    expect(lab.processes).toEqual(['redis', 'authserver', 'resource-api', 'bff#1', 'bff#2', 'spa', 'attacker']);
    expect(lab.store).toEqual({ kind: 'redis', port: Number(lab.env.REDIS_PORT), url: `redis://127.0.0.1:${lab.env.REDIS_PORT}` });
  });

  it('a BFF instance killed with SIGKILL: every call keeps answering 200 within 2 s; the launcher restarts it (one line) and it serves the same session', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    const killed = lab.pidOf('bff#1');
    process.kill(killed as number, 'SIGKILL');
    const during = [];
    for (let n = 0; n < 10; n += 1) during.push(await call(agent, '/api/notes'));
    expect(during.map(({ status, body }) => ({ status, owner: body.owner }))).toEqual(Array(10).fill({ status: 200, owner: 'alice' }));
    expect(Math.max(...during.map(({ ms }) => ms))).toBeLessThan(2_000);
    await waitFor(() => launcherLines.some((line) => line.startsWith('launcher: bff#1 is back')));
    expect(launcherLines).toContainEqual(
      expect.stringMatching(/^launcher: bff#1 exited unexpectedly \(signal SIGKILL\); restarting it in 0\.2 s \(restart 1 of at most 5\)$/),
    );
    expect(lab.pidOf('bff#1')).not.toBe(killed);
    // Only the restarted instance is left: the same session, no sign-in.
    await lab.stopService('bff#2');
    try {
      expect(await call(agent, '/bff/user')).toMatchObject({ status: 200, body: { claims: { sub: 'alice' } } });
    } finally {
      await lab.startService('bff#2');
    }
  });

  it('an instance the lab stops stays stopped (no restart) and the other serves everyone', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'bob');
    await lab.stopService('bff#2');
    try {
      await new Promise((resolve) => setTimeout(resolve, 600)); // longer than the first restart's delay
      expect(lab.pidOf('bff#2')).toBeUndefined();
      const calls = await Promise.all(Array.from({ length: 6 }, () => call(agent, '/api/notes')));
      expect(calls.map(({ status }) => status)).toEqual(Array(6).fill(200));
    } finally {
      await lab.startService('bff#2');
    }
  });

  it('Redis stopped: 503 session_store_unavailable with Retry-After at once, never a 500 or a hang; Redis back: the stored session is back', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the append-only file is written every second
    await lab.stopService('redis');
    try {
      for (const pathname of ['/api/notes', '/bff/user', '/bff/login']) {
        const down = await call(agent, pathname);
        expect(down).toMatchObject({
          status: 503,
          retryAfter: '1',
          body: { error: 'session_store_unavailable', message: 'The session store cannot be reached right now. Your session is kept; try again in a moment.' },
        });
        expect(down.ms).toBeLessThan(2_500);
      }
    } finally {
      await lab.startService('redis');
    }
    await waitFor(async () => (await call(agent, '/api/notes')).status === 200);
    expect(await call(agent, '/bff/user')).toMatchObject({ status: 200, body: { claims: { sub: 'alice' } } });
  });

  it('the authorization server killed: it is back within seconds, and a refresh of a session signed in before succeeds', async () => {
    const setTtl = (seconds: number) =>
      fetch(`${lab.topology.authserver.url}/_lab/settings`, {
        method: 'PUT',
        headers: { 'X-Lab-Key': lab.env.LAB_CONTROL_KEY as string, 'Content-Type': 'application/json' },
        body: JSON.stringify({ accessTokenTtlSeconds: seconds }),
      });
    expect((await setTtl(2)).status).toBe(200);
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    const killed = lab.pidOf('authserver');
    process.kill(killed as number, 'SIGKILL');
    await waitFor(async () => {
      try {
        return (await fetch(`${lab.topology.authserver.url}/healthz`)).ok;
      } catch {
        return false;
      }
    });
    expect(lab.pidOf('authserver')).not.toBe(killed);
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the 2 s access token has expired
    expect(await call(agent, '/api/notes')).toMatchObject({ status: 200, body: { owner: 'alice' } });
  });

  it('the trace names the instance that handled each exchange (bff#1, bff#2)', async () => {
    const key = { 'X-Lab-Key': lab.env.LAB_CONTROL_KEY as string };
    const { agent } = await signInOverHttp(lab.topology, 'bob');
    for (let n = 0; n < 4; n += 1) expect((await call(agent, '/api/notes')).status).toBe(200);
    for (const [index, name] of ['bff#1', 'bff#2'].entries()) {
      const page = (await (await fetch(`http://127.0.0.1:${lab.topology.bff.port + index}/_lab/trace?after=0`, { headers: key })).json()) as {
        events: Array<{ instance?: string; url: string }>;
      };
      const served = page.events.filter((event) => new URL(event.url).pathname === '/api/notes');
      expect(served.length, `${name} served some of the calls`).toBeGreaterThan(0);
      expect(new Set(page.events.map((event) => event.instance))).toEqual(new Set([name]));
    }
  });

  it('the lab-only routes for the operations scenarios need the control key', async () => {
    for (const url of [`${lab.topology.bff.url}/_lab/store`, `${lab.topology.bff.url}/_lab/process`, `${lab.topology.authserver.url}/_lab/process`]) {
      const response = await fetch(url);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'lab_key_required', message: "The lab control routes need the run's key in X-Lab-Key." });
    }
    const store = await fetch(`${lab.topology.bff.url}/_lab/store`, { headers: { 'X-Lab-Key': lab.env.LAB_CONTROL_KEY as string } });
    const instances = [0, 1].map((index) => `http://127.0.0.1:${lab.topology.bff.port + index}`);
    expect(await store.json()).toEqual({ kind: 'redis', url: lab.store.kind === 'redis' ? lab.store.url : '', instance: 'bff#1', instances });
  });
});
