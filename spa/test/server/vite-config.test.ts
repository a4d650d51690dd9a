import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { DefenceSwitches } from '@lab/shared';
import type { SpaSettings } from '../../server/lab-settings.ts';
import { loadConfig } from '../../server/config.ts';
import { createViteConfig } from '../../server/vite-config.ts';

// Prerequisites: a stand-in upstream where the BFF would be (the test is about the app's origin,
// not the BFF), and the real Vite dev server of the SPA in front of it, both on free ports.
let upstream: Server;
let upstreamSeen: { url: string; headers: IncomingHttpHeaders } | undefined;
let spa: ViteDevServer;
let spaUrl: string;
const defences = new DefenceSwitches();
const settings: SpaSettings = { defences, xss: null, mode: 'bff' };

beforeAll(async () => {
  upstream = createHttpServer((req, res) => {
    upstreamSeen = { url: req.url ?? '', headers: req.headers };
    res.writeHead(401, {
      'Content-Type': 'application/json',
      'Set-Cookie': 'bff_session=opaque; Path=/; HttpOnly; SameSite=Lax',
      'Referrer-Policy': 'no-referrer',
    });
    res.end(JSON.stringify({ error: 'not_authenticated', message: 'No session.' }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const bffPort = (upstream.address() as AddressInfo).port;

  const config = loadConfig({ SPA_PORT: '15999', BFF_PORT: String(bffPort) });
  const viteConfig = createViteConfig(config, { settings, logLevel: 'silent' });
  spa = await createServer({ ...viteConfig, server: { ...viteConfig.server, port: 0, watch: null } });
  await spa.listen();
  spaUrl = `http://127.0.0.1:${(spa.httpServer!.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await spa?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('GET /healthz', () => {
  it('answers 200 with the service name', async () => {
    const response = await fetch(`${spaUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ status: 'ok', service: 'spa' });
  });
});

describe('GET / (the app page)', () => {
  it('carries the security headers and the CSP', async () => {
    const response = await fetch(`${spaUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('<lab-app></lab-app>');
  });

  it('grants no CORS to the attacker site', async () => {
    const response = await fetch(`${spaUrl}/src/bff-client.ts`, { headers: { Origin: 'http://[::1]:6660' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('drops the CSP from the next response once spa-csp is weakened', async () => {
    defences.set(['spa-csp']);
    try {
      const response = await fetch(`${spaUrl}/`);
      expect(response.headers.get('content-security-policy')).toBeNull();
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      defences.set([]);
    }
  });
});

describe('GET /bff/user (forwarded to the BFF)', () => {
  it("passes the request and the BFF's answer through unchanged", async () => {
    const response = await fetch(`${spaUrl}/bff/user`, { headers: { 'X-CSRF': '1', Origin: spaUrl } });
    expect(upstreamSeen?.url).toBe('/bff/user');
    expect(upstreamSeen?.headers['x-csrf']).toBe('1');
    expect(upstreamSeen?.headers.host).toBe(new URL(spaUrl).host);
    expect(upstreamSeen?.headers.origin).toBe(spaUrl);
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBe('bff_session=opaque; Path=/; HttpOnly; SameSite=Lax');
    // The BFF's own headers, not the app page's.
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect(await response.json()).toEqual({ error: 'not_authenticated', message: 'No session.' });
  });
});

describe('GET /bff/user when the BFF is not running', () => {
  it('answers 502 bff_unreachable in the lab JSON error format', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createHttpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const config = loadConfig({ SPA_PORT: '15998', BFF_PORT: String(closedPort) });
    const viteConfig = createViteConfig(config, { settings: { defences: new DefenceSwitches(), xss: null, mode: 'bff' }, logLevel: 'silent' });
    const lonely = await createServer({ ...viteConfig, server: { ...viteConfig.server, port: 0, watch: null } });
    try {
      await lonely.listen();
      const url = `http://127.0.0.1:${(lonely.httpServer!.address() as AddressInfo).port}`;
      const response = await fetch(`${url}/bff/user`, { headers: { 'X-CSRF': '1' } });
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({
        error: 'bff_unreachable',
        message: `The app's server could not reach the BFF at http://127.0.0.1:${closedPort}. Is it running?`,
      });
    } finally {
      await lonely.close();
    }
  });
});
