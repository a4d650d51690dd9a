import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callLab, startTestSpa, type TestSpa } from './support/start-spa.ts';

// Prerequisites: the real SPA server on a free port, given a control key as the launcher gives one.
let spa: TestSpa;
beforeAll(async () => {
  spa = await startTestSpa();
});
afterAll(() => spa?.close());
afterEach(() => {
  spa.settings.defences.set([]);
  spa.settings.xss = null;
  spa.settings.mode = 'bff';
});

const INITIAL = { service: 'spa', weakened: [], fullView: false, xss: null, mode: 'bff' };

describe('the control routes without LAB_CONTROL_KEY', () => {
  it('do not exist: 404 in the lab JSON format, not the app page', async () => {
    const keyless = await startTestSpa({});
    try {
      const response = await fetch(`${keyless.url}/_lab/settings`, { headers: { 'X-Lab-Key': 'anything' } });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toEqual({ error: 'not_found', message: 'Nothing at GET /_lab/settings.' });
    } finally {
      await keyless.close();
    }
  });
});

describe('GET /_lab/settings', () => {
  it('refuses a call without the key', async () => {
    const response = await fetch(`${spa.url}/_lab/settings`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'lab_key_required', message: "The lab control routes need the run's key in X-Lab-Key." });
  });

  it('refuses a wrong key', async () => {
    const response = await callLab(spa, 'GET', '/settings', undefined, 'not-the-key');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'lab_key_required', message: "The lab control routes need the run's key in X-Lab-Key." });
  });

  it('answers the settings the run started with, never cached', async () => {
    const response = await callLab(spa, 'GET', '/settings');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(INITIAL);
  });

  it('starts from LAB_WEAKEN and LAB_MODE', async () => {
    const other = await startTestSpa({ LAB_CONTROL_KEY: 'another-key-0123456789', LAB_WEAKEN: 'spa-csp,pkce', LAB_MODE: 'public-client' });
    try {
      const response = await callLab(other, 'GET', '/settings', undefined, 'another-key-0123456789');
      expect(await response.json()).toEqual({ ...INITIAL, weakened: ['pkce', 'spa-csp'], mode: 'public-client' });
    } finally {
      await other.close();
    }
  });
});

describe('PUT /_lab/settings', () => {
  it('switches defences, the XSS hook and the mode; GET then reflects them', async () => {
    const put = await callLab(spa, 'PUT', '/settings', { weakened: ['spa-csp'], xss: 'steal-storage', mode: 'public-client', fullView: true });
    const expected = { service: 'spa', weakened: ['spa-csp'], fullView: false, xss: 'steal-storage', mode: 'public-client' };
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual(expected);
    expect(await (await callLab(spa, 'GET', '/settings')).json()).toEqual(expected);

    const back = await callLab(spa, 'PUT', '/settings', { weakened: [], xss: null, mode: 'bff' });
    expect(await back.json()).toEqual(INITIAL);
  });

  it('leaves out members it is not given', async () => {
    await callLab(spa, 'PUT', '/settings', { xss: 'proxy-calls' });
    expect(await (await callLab(spa, 'PUT', '/settings', { mode: 'public-client' })).json()).toEqual({ ...INITIAL, xss: 'proxy-calls', mode: 'public-client' });
  });

  it('refuses an unknown defence and changes nothing', async () => {
    const response = await callLab(spa, 'PUT', '/settings', { weakened: ['spa-csp', 'no-such-defence'], mode: 'public-client' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'unknown_defence', message: 'Unknown defence: no-such-defence.' });
    expect(await (await callLab(spa, 'GET', '/settings')).json()).toEqual(INITIAL);
  });

  it('refuses an unknown payload, an unknown mode and a non-boolean fullView, and changes nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ xss: 'alert(1)', mode: 'public-client' }, 'xss must be null or one of: steal-storage, silent-authorize, proxy-calls, persistent-theft.'],
      [{ mode: 'implicit', weakened: ['spa-csp'] }, 'mode must be one of: bff, public-client.'],
      [{ fullView: 'yes', xss: 'steal-storage' }, 'fullView must be true or false.'],
      [{ weakened: 'spa-csp' }, 'weakened must be a list of defence names.'],
      [['spa-csp'], 'The settings must be a JSON object.'],
    ];
    for (const [body, message] of cases) {
      const response = await callLab(spa, 'PUT', '/settings', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_setting', message });
    }
    expect(await (await callLab(spa, 'GET', '/settings')).json()).toEqual(INITIAL);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await callLab(spa, 'PUT', '/settings', '{"mode":');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_json', message: 'The request body is not valid JSON (an object or an array).' });
  });
});

describe('GET /_lab/trace', () => {
  it("is always empty: the BFF records the app origin's /bff and /api calls", async () => {
    const response = await callLab(spa, 'GET', '/trace?after=0');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ service: 'spa', lastSeq: 0, events: [] });
  });

  it('answers 404 for a control route that does not exist', async () => {
    const response = await callLab(spa, 'GET', '/loot');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'Nothing at GET /_lab/loot.' });
  });
});

describe('GET / after PUT /_lab/settings', () => {
  it('drops the CSP from the next page once spa-csp is weakened at run time, and brings it back', async () => {
    expect((await fetch(`${spa.url}/`)).headers.get('content-security-policy')).toContain("script-src 'self'");
    await callLab(spa, 'PUT', '/settings', { weakened: ['spa-csp'] });
    const weakened = await fetch(`${spa.url}/`);
    expect(weakened.headers.get('content-security-policy')).toBeNull();
    expect(weakened.headers.get('x-frame-options')).toBe('DENY');
    await callLab(spa, 'PUT', '/settings', { weakened: [] });
    expect((await fetch(`${spa.url}/`)).headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('lets scripts reach the authorization server and the API in public-client mode only', async () => {
    const { authserver } = spa.config.topology;
    const api = spa.config.topology['resource-api'];
    const connectSrc = async () => /connect-src ([^;]*)/.exec((await fetch(`${spa.url}/`)).headers.get('content-security-policy') ?? '')?.[1];
    expect(await connectSrc()).toBe("'self' ws://localhost:15997");
    await callLab(spa, 'PUT', '/settings', { mode: 'public-client' });
    expect(await connectSrc()).toBe(`'self' ws://localhost:15997 ${authserver.url} ${api.url}`);
  });
});

describe('GET / revalidated by the browser (If-None-Match)', () => {
  it('sends the page in full, so a header switched at run time is not kept from the cache by a 304', async () => {
    const first = await fetch(`${spa.url}/`, { headers: { Accept: 'text/html' } });
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    await callLab(spa, 'PUT', '/settings', { weakened: ['spa-csp'] });
    const again = await fetch(`${spa.url}/`, { headers: { Accept: 'text/html', 'If-None-Match': etag! } });
    expect(again.status).toBe(200);
    expect(again.headers.get('content-security-policy')).toBeNull();
  });
});
