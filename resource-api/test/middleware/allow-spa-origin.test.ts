import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startTestApi } from '../support/start-test-api.ts';
import type { TestApi } from '../support/start-test-api.ts';
import { createSigningKey, signAccessToken } from '../support/tokens.ts';
import type { TestSigningKey } from '../support/tokens.ts';

// Prerequisites: the lab's default topology. The app's origin is the SPA's; the attacker is a third site.
const SPA_ORIGIN = 'http://localhost:5173';
const ATTACKER_ORIGIN = 'http://[::1]:6660';
const LAB_KEY = 'resource-api-test-key-0123';

let key: TestSigningKey;
let api: TestApi | undefined;
beforeAll(async () => {
  key = await createSigningKey();
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** The real API; `mode` as `LAB_MODE` would set it, with the control routes behind `LAB_KEY`. */
async function startApi(mode: 'bff' | 'public-client'): Promise<TestApi> {
  const lab = { ...loadConfig({}).lab, mode, controlKey: LAB_KEY };
  return startTestApi({ key, config: { lab }, instrumented: true });
}

function getNotesFrom(origin: string, token?: string): Promise<Response> {
  return fetch(`${api!.url}/notes`, { headers: { Origin: origin, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
}

function preflightFrom(origin: string): Promise<Response> {
  return fetch(`${api!.url}/notes`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
  });
}

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));
}

describe('CORS in BFF mode (the default)', () => {
  it('sends no CORS header at all: browsers reach the API only through the BFF', async () => {
    api = await startApi('bff');
    const response = await getNotesFrom(SPA_ORIGIN, await signAccessToken(key));
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({});
  });

  it('grants no preflight, not even to the app origin', async () => {
    api = await startApi('bff');
    const response = await preflightFrom(SPA_ORIGIN);
    expect(response.status).toBe(404);
    expect(corsHeaders(response)).toEqual({});
  });
});

describe('CORS in public-client mode (the anti-pattern)', () => {
  it('lets the app origin read the notes, without credentials', async () => {
    api = await startApi('public-client');
    const response = await getNotesFrom(SPA_ORIGIN, await signAccessToken(key));
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': SPA_ORIGIN,
      'access-control-expose-headers': 'WWW-Authenticate',
      vary: 'Origin',
    });
  });

  it('lets the app read the 401 challenge too, so it knows to refresh', async () => {
    api = await startApi('public-client');
    const response = await getNotesFrom(SPA_ORIGIN);
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="resource-api"/);
  });

  it('answers the preflight for Authorization and Content-Type, GET and POST', async () => {
    api = await startApi('public-client');
    const response = await preflightFrom(SPA_ORIGIN);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': SPA_ORIGIN,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('grants nothing to another origin', async () => {
    api = await startApi('public-client');
    const read = await getNotesFrom(ATTACKER_ORIGIN, await signAccessToken(key));
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(read.headers.get('vary')).toBe('Origin');
    const preflight = await preflightFrom(ATTACKER_ORIGIN);
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('PUT /_lab/settings { publicClient }', () => {
  it('switches CORS for the app origin on and off while the API runs', async () => {
    api = await startApi('bff');
    const put = (publicClient: unknown) =>
      fetch(`${api!.url}/_lab/settings`, {
        method: 'PUT',
        headers: { 'X-Lab-Key': LAB_KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify({ publicClient }),
      });

    const on = await put(true);
    expect(on.status).toBe(200);
    expect(await on.json()).toEqual({ service: 'resource-api', weakened: [], fullView: false, publicClient: true });
    expect((await preflightFrom(SPA_ORIGIN)).status).toBe(204);

    const bad = await put('yes');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_setting', message: 'publicClient must be true or false.' });

    await put(false);
    expect(corsHeaders(await getNotesFrom(SPA_ORIGIN, await signAccessToken(key)))).toEqual({});
  });
});
