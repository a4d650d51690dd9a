import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabEnv, startLab, type RunningLab } from '@lab/launcher';
import { TEST_LOG_DIR_NAME, TEST_PORTS } from './support/test-ports.ts';
import { HttpUserAgent, signInOverHttp, walkToCallback } from './support/http-sign-in.ts';

/**
 * Faults while people use the app: a party stops, freezes or restarts. Each answer is a JSON error
 * with a stable code within a bounded time, and the lab recovers without manual steps; signing in
 * again is asked for only where the session is truly gone, and the answer says so.
 *
 * This file starts a lab of its own (the shared test lab's ports + 500), since it stops and
 * freezes its services.
 */
let lab: RunningLab;
let spa: string;

beforeAll(async () => {
  const ports = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, String(Number(port) + 500)]));
  const env = makeLabEnv(process.env, { ...ports, LAB_WEAKEN: '', LAB_MODE: '', LAB_FLOW: '', LAB_CONTROL_KEY: '', LAB_XRAY: 'off' });
  lab = await startLab({ env, logDir: path.join(import.meta.dirname, '..', '.lab', `${TEST_LOG_DIR_NAME}-faults`) });
  spa = lab.topology.spa.url;
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

/** A JSON call as the app makes it, timed. */
async function call(agent: HttpUserAgent, pathname: string) {
  const started = Date.now();
  const response = await agent.request(`${spa}${pathname}`, { headers: { 'X-CSRF': '1' }, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, ms: Date.now() - started };
}

/** Makes the access tokens of new sign-ins short-lived, so the next call needs a refresh. */
async function setAccessTokenTtl(seconds: number): Promise<void> {
  const response = await fetch(`${lab.topology.authserver.url}/_lab/settings`, {
    method: 'PUT',
    headers: { 'X-Lab-Key': lab.env.LAB_CONTROL_KEY!, 'Content-Type': 'application/json' },
    body: JSON.stringify({ accessTokenTtlSeconds: seconds }),
  });
  expect(response.status).toBe(200);
}

describe('faults', () => {
  it('resource API stopped: 502 resource_api_unavailable at once, session kept; restarted: the same session reads its notes', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    await lab.stopService('resource-api');
    try {
      const down = await call(agent, '/api/notes');
      expect(down).toMatchObject({ status: 502, body: { error: 'resource_api_unavailable', message: expect.stringContaining('session is kept') } });
      expect(down.ms).toBeLessThan(6_000);
      expect((await call(agent, '/bff/user')).status).toBe(200);
    } finally {
      await lab.startService('resource-api');
    }
    const back = await call(agent, '/api/notes');
    expect(back).toMatchObject({ status: 200, body: { owner: 'alice' } });
  });

  it('authorization server frozen while a token must be refreshed: 504 authserver_timeout within 6 s, session kept; thawed: the next call refreshes', async () => {
    await setAccessTokenTtl(1);
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    await setAccessTokenTtl(300);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    lab.signalService('authserver', 'SIGSTOP');
    try {
      const frozen = await call(agent, '/api/notes');
      expect(frozen).toMatchObject({ status: 504, body: { error: 'authserver_timeout', message: expect.stringContaining('session is kept') } });
      expect(frozen.ms).toBeLessThan(6_000);
    } finally {
      lab.signalService('authserver', 'SIGCONT');
    }
    expect(await call(agent, '/api/notes')).toMatchObject({ status: 200, body: { owner: 'alice' } });
  });

  it('authorization server frozen at the callback: 504 with startAgain within 6 s; thawed: the reload goes through or is refused with startAgain, never invalid_state', async () => {
    const agent = new HttpUserAgent(spa);
    const callbackUrl = await walkToCallback(agent, 'alice', { returnTo: '/notes' });
    lab.signalService('authserver', 'SIGSTOP');
    // Frozen before the code is redeemed; connections are refused once it is stopped for good.
    let first: Response;
    try {
      const started = Date.now();
      first = await agent.request(callbackUrl, { signal: AbortSignal.timeout(20_000) });
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      lab.signalService('authserver', 'SIGCONT');
    }
    expect(first.status).toBe(504);
    expect(await first.json()).toEqual({
      error: 'authserver_timeout',
      message: 'The authorization server did not answer in time. Your session is kept; try again in a moment.',
      startAgain: '/bff/login?returnTo=%2Fnotes',
    });
    // The token request reached the thawed server late: the code may be spent. Either the reload
    // goes through, or it is refused with the way to start again; never invalid_state.
    const reload = await agent.request(callbackUrl);
    if (reload.status === 302) {
      expect(reload.headers.get('location')).toBe('/notes');
    } else {
      expect(reload.status).toBe(400);
      expect(await reload.json()).toMatchObject({ error: 'invalid_grant', startAgain: '/bff/login?returnTo=%2Fnotes' });
    }
  });

  it('authorization server down at the callback: 503 authserver_unavailable with startAgain; after it restarts, startAgain signs in', async () => {
    const agent = new HttpUserAgent(spa);
    const callbackUrl = await walkToCallback(agent, 'bob', { returnTo: '/notes' });
    await lab.stopService('authserver');
    let down: Response;
    try {
      down = await agent.request(callbackUrl);
    } finally {
      await lab.startService('authserver');
    }
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      error: 'authserver_unavailable',
      message: 'The authorization server cannot be reached. Your session is kept; try again in a moment.',
      startAgain: '/bff/login?returnTo=%2Fnotes',
    });
    // The restarted server forgot the code (and the keys): the reload is refused, not as invalid_state.
    const reload = await agent.request(callbackUrl);
    expect(reload.status).toBe(400);
    expect(await reload.json()).toMatchObject({ startAgain: '/bff/login?returnTo=%2Fnotes' });
    const again = await signInOverHttp(lab.topology, 'bob');
    expect(await call(again.agent, '/api/notes')).toMatchObject({ status: 200, body: { owner: 'bob' } });
  });

  it('authorization server restarted with new keys: the old token is refused, the refresh too (the grant is gone), so 401 session_expired and the session ends', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    expect((await call(agent, '/api/notes')).status).toBe(200);
    await lab.stopService('authserver');
    await lab.startService('authserver');
    // A new sign-in makes the API fetch the new keys; the old key is then unknown.
    const fresh = await signInOverHttp(lab.topology, 'bob');
    expect((await call(fresh.agent, '/api/notes')).status).toBe(200);

    const refused = await call(agent, '/api/notes');
    expect(refused).toMatchObject({ status: 401, body: { error: 'session_expired', message: expect.stringContaining('Sign in again') } });
    expect(refused.ms).toBeLessThan(6_000);
    expect((await call(agent, '/bff/user')).status).toBe(401);
  });

  it('BFF restarted: sessions in its memory are gone, and the app is told so (401 not_authenticated); signing in again works', async () => {
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    await lab.stopService('bff');
    await lab.startService('bff');
    expect(await call(agent, '/bff/user')).toMatchObject({ status: 401, body: { error: 'not_authenticated' } });
    expect(await call(agent, '/api/notes')).toMatchObject({ status: 401, body: { error: 'not_authenticated' } });
    const again = await signInOverHttp(lab.topology, 'alice');
    expect(await call(again.agent, '/api/notes')).toMatchObject({ status: 200, body: { owner: 'alice' } });
  });
});
