import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer, type RunningAuthServer } from '../support/start-authserver.ts';
import { CookieJar, authorizationRequest } from '../support/sign-in-over-http.ts';

let server: RunningAuthServer;
beforeAll(async () => {
  server = await startAuthServer();
});
afterAll(async () => {
  await server.stop();
});

/** A live interaction of this browser: the login page's path, with the interaction cookie in the jar. */
async function openLoginPage(): Promise<{ jar: CookieJar; page: string }> {
  const jar = new CookieJar(server.url);
  const response = jar.keep(await fetch(`${server.url}/auth?${authorizationRequest().query}`, { redirect: 'manual' }));
  return { jar, page: response.headers.get('location')! };
}

describe('POST /interaction/:uid/login with a broken form', () => {
  it.each(['gzip', 'deflate', 'br'])('a body that does not match Content-Encoding: %s is 400 invalid_content_encoding, not a 500', async (encoding) => {
    const { jar, page } = await openLoginPage();
    const response = await fetch(`${server.url}${page}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding },
      body: 'username=alice&password=alice',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'invalid_content_encoding', message: 'The request body does not match its Content-Encoding.' });
  });

  it('a form over 8 kB is 413 payload_too_large', async () => {
    const { jar, page } = await openLoginPage();
    const response = await fetch(`${server.url}${page}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=alice&password=${'a'.repeat(20_000)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('a Host no URL can hold is 400 invalid_host, at discovery too', async () => {
    const { request } = await import('node:http');
    const { port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, path: '/.well-known/openid-configuration', headers: { host: '[::1' } }, (incoming) => {
        incoming.resume();
        resolve(incoming.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(status).toBe(400);
  });
});
