import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@lab/shared';
import { buildApp } from '../../server/build-app.ts';
import { loadConfig } from '../../server/config.ts';
import { APP_DEFINE, SPA_ROOT } from '../../server/vite-config.ts';
import { TEST_LAB_KEY, startTestSpa, type TestSpa } from './support/start-spa.ts';

// Prerequisites: a stand-in where the BFF would be (it answers 401 to everything, and counts what
// reached it), and the app's origin as the lab serves it by default: the preview server with the
// built app and every lab plugin, on a free port.
let upstream: Server;
let upstreamCalls = 0;
let spa: TestSpa;

beforeAll(async () => {
  upstream = createHttpServer((_req, res) => {
    upstreamCalls += 1;
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not_authenticated', message: 'No session.' }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  spa = await startTestSpa({ LAB_CONTROL_KEY: TEST_LAB_KEY, BFF_PORT: String((upstream.address() as AddressInfo).port) }, 'built');
});

afterAll(async () => {
  await spa?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('LAB_SPA_SERVE', () => {
  it('serves the built app unless told otherwise', () => {
    expect(loadConfig({}).serve).toBe('built');
    expect(loadConfig({ LAB_SPA_SERVE: 'dev' }).serve).toBe('dev');
    expect(loadConfig({ LAB_SPA_SERVE: ' ' }).serve).toBe('built');
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => loadConfig({ LAB_SPA_SERVE: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ LAB_SPA_SERVE: 'production' })).toThrow('LAB_SPA_SERVE: expected built or dev, got "production"');
  });
});

describe('the build', () => {
  it('is made once per version of the sources: a second start reuses it', async () => {
    const first = await buildApp(SPA_ROOT, APP_DEFINE);
    const second = await buildApp(SPA_ROOT, APP_DEFINE);
    expect(second).toEqual({ dir: first.dir, built: false });
  });

  it('is another build when a value written into the code changes', async () => {
    const ours = await buildApp(SPA_ROOT, APP_DEFINE);
    const other = await buildApp(SPA_ROOT, { __LAB_DEMO_USERS__: '[]' });
    expect(other.dir).not.toBe(ours.dir);
  });
});

describe('the page of the built app', () => {
  it('loads a handful of bundled files, not spa/src module by module', async () => {
    const response = await fetch(`${spa.url}/`);
    expect(response.status).toBe(200);
    const page = await response.text();
    const scripts = [...page.matchAll(/<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/g)].map((match) => match[1]);
    expect(scripts).toHaveLength(1);
    expect(page).not.toContain('/src/');
    const script = await fetch(`${spa.url}${scripts[0]}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('lab-app');
  });

  it('carries the security headers, and a CSP that allows no websocket (the built app has no hot reload)', async () => {
    const response = await fetch(`${spa.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('ws:');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('is the page for any route of the app, while the /bff/ and /api/ paths go to the BFF', async () => {
    const deep = await fetch(`${spa.url}/notes/deep/link`, { headers: { Accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<lab-app></lab-app>');
    const before = upstreamCalls;
    const user = await fetch(`${spa.url}/bff/user`);
    expect(user.status).toBe(401);
    expect(await user.json()).toEqual({ error: 'not_authenticated', message: 'No session.' });
    expect(upstreamCalls).toBe(before + 1);
  });
});

describe('hostile requests to the built app', () => {
  it('refuses a malformed percent-encoding with the JSON error, before anything is served', async () => {
    const response = await fetch(`${spa.url}/assets/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_url_encoding' });
  });

  it('answers the lab routes only with the key, and /healthz always', async () => {
    expect((await fetch(`${spa.url}/healthz`)).status).toBe(200);
    const keyless = await fetch(`${spa.url}/_lab/settings`);
    expect(keyless.status).toBe(401);
    expect(await keyless.json()).toMatchObject({ error: expect.any(String) });
  });

  it.each(['vite-hmr', 'vite-ping', undefined])('refuses a WebSocket upgrade at / (protocol %s): there is no hot reload to connect to', async (protocol) => {
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(spa.url).port), '127.0.0.1');
      let received = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(`${received}<held open>`);
      }, 3_000);
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
      socket.write(
        'GET / HTTP/1.1\r\nHost: localhost:5173\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`,
      );
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).not.toContain('<held open>');
    expect(JSON.parse(raw.split('\r\n\r\n')[1] ?? '')).toEqual({
      error: 'websocket_not_supported',
      message: "No WebSocket at /: the app's origin speaks plain HTTP here.",
    });
  });

  it('serves 40 parallel page, asset and BFF requests, each with its own right answer', async () => {
    const page = await (await fetch(`${spa.url}/`)).text();
    const asset = page.match(/src="(\/assets\/[^"]+\.js)"/)?.[1] ?? '';
    const targets = Array.from({ length: 40 }, (_, index) => ['/', asset, '/bff/user', '/lab/state.json'][index % 4] as string);
    const statuses = await Promise.all(targets.map(async (target) => (await fetch(`${spa.url}${target}`)).status));
    expect(statuses).toEqual(targets.map((target) => (target === '/bff/user' ? 401 : 200)));
  });
});
