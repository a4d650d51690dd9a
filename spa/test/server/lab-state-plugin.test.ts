import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFENCES } from '@lab/shared';
import { callLab, startTestSpa, type TestSpa } from './support/start-spa.ts';

let spa: TestSpa;
beforeAll(async () => {
  spa = await startTestSpa();
});
afterAll(() => spa?.close());

describe('GET /lab/state.json', () => {
  it('tells the app the mode and the URLs, without a key and never cached', async () => {
    const response = await fetch(`${spa.url}/lab/state.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ mode: 'bff', weakened: [], xss: false, authserver: 'http://127.0.0.1:4000', api: 'http://localhost:4001' });
  });

  it('follows the run-time settings: each weakened defence with its description, the mode, whether an XSS is injected', async () => {
    await callLab(spa, 'PUT', '/settings', { weakened: ['state', 'pkce'], mode: 'public-client', xss: 'steal-storage' });
    try {
      const body = await (await fetch(`${spa.url}/lab/state.json`)).json();
      expect(body).toEqual({
        mode: 'public-client',
        weakened: [
          { name: 'pkce', what: DEFENCES.pkce.what },
          { name: 'state', what: DEFENCES.state.what },
        ],
        // Whether, not which: the page only needs to say that a script is injected.
        xss: true,
        authserver: 'http://127.0.0.1:4000',
        api: 'http://localhost:4001',
      });
      expect(JSON.stringify(body)).not.toContain('test-lab-key');
    } finally {
      await callLab(spa, 'PUT', '/settings', { weakened: [], mode: 'bff', xss: null });
    }
  });

  it('answers 405 to anything but GET', async () => {
    const response = await fetch(`${spa.url}/lab/state.json`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: 'method_not_allowed', message: 'POST /lab/state.json is not supported; use GET.' });
  });
});
