import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSpa, type TestSpa } from './support/start-spa.ts';

let spa: TestSpa;
beforeAll(async () => {
  spa = await startTestSpa();
});
afterAll(async () => {
  await spa.close();
});

/** Sends the request target exactly as written: fetch would normalise or refuse it. */
function rawGet(target: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const { hostname, port } = new URL(spa.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: hostname, port, path: target, timeout: 5_000 }, (incoming) => {
      let body = '';
      incoming.on('data', (chunk: Buffer) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, type: incoming.headers['content-type'], body }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer to ${target}`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe("the app's origin refuses request targets no page can have", () => {
  it.each(['/%aindex.html', '/%E0%A4%A/index.html', '/index.html?x=%zz', '/bff/user?%=1', '/api/notes?code=%'])(
    'answers %s with 400 invalid_url_encoding, and stays up',
    async (target) => {
      const response = await rawGet(target);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        error: 'invalid_url_encoding',
        message: 'The URL holds a malformed percent-encoding (a "%" must start a valid UTF-8 byte sequence such as %2F).',
      });
      expect((await rawGet('/healthz')).status).toBe(200);
    },
  );

  it.each(['/\\', '/\\evil.example/index.html', '/a\\b'])('answers %s with 400 invalid_path (no 500 with a stack trace)', async (target) => {
    const response = await rawGet(target);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_path', message: 'The path must start with "/" and hold no backslash.' });
  });

  it('answers a 15,000-character target with 414 uri_too_long', async () => {
    const response = await rawGet(`/@vite/client/${'p'.repeat(15_000)}`);
    expect(response.status).toBe(414);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'uri_too_long' });
  });

  it('still serves the app and well-formed encodings', async () => {
    expect((await rawGet('/')).status).toBe(200);
    expect((await rawGet('/?q=caf%C3%A9')).status).toBe(200);
  });
});

describe('paths forwarded to the BFF', () => {
  it('leaves a backslash under /api/ to the BFF to judge (it answers invalid_api_path; here the BFF is away: 502)', async () => {
    const response = await rawGet('/api/\\evil.example/steal');
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'bff_unreachable' });
  });
});
