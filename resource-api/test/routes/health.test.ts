import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/start-test-api.ts';
import type { TestApi } from '../support/start-test-api.ts';
import { createSigningKey } from '../support/tokens.ts';

describe('GET /healthz', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ key: await createSigningKey() });
  });
  afterAll(() => api.close());

  it('answers without a token', async () => {
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ status: 'ok', service: 'resource-api' });
  });

  it('answers a JSON 404 for a path it does not serve', async () => {
    const response = await fetch(`${api.url}/admin`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'Nothing at GET /admin.' });
  });
});
