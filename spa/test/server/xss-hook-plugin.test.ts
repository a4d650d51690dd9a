import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LAB_KEY, callLab, startTestSpa, type TestSpa } from './support/start-spa.ts';

// Prerequisites: a stand-in for the attacker's site on [::1] (a third site, as in the lab), which
// serves a recognisable payload, and the real SPA server that knows it as the attacker.
const PAYLOAD = "window.__labXss = { name: 'steal-storage', status: 'done' };\n";
let attacker: Server;
const attackerSeen: string[] = [];

// The same behaviour from Vite's dev server and from the built app (the lab's default), which
// injects the hook into its page file by other means.
describe.each(['dev', 'built'] as const)('served by %s', (serve) => {
  let spa: TestSpa;

  beforeAll(async () => {
    attackerSeen.length = 0;
    attacker = createHttpServer((req, res) => {
      attackerSeen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(PAYLOAD);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '::1', resolve));
    spa = await startTestSpa({ LAB_CONTROL_KEY: TEST_LAB_KEY, ATTACKER_PORT: String((attacker.address() as AddressInfo).port) }, serve);
  });

  afterAll(async () => {
    await spa?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  const INJECTED = '<script type="module" src="/@lab-xss/steal-storage.js"></script>';

  describe('the XSS hook (lab only), switched off', () => {
    it('injects nothing into the page and serves no payload', async () => {
      const page = await (await fetch(`${spa.url}/`)).text();
      expect(page).toContain('<lab-app></lab-app>');
      expect(page).not.toContain('/@lab-xss/');
      const script = await fetch(`${spa.url}/@lab-xss/steal-storage.js`);
      expect(script.status).toBe(404);
      expect(await script.json()).toEqual({ error: 'not_found', message: 'Nothing at GET /@lab-xss/steal-storage.js: no such XSS payload is switched on.' });
      expect(attackerSeen).toEqual([]);
    });
  });

  describe('the XSS hook (lab only), switched on with PUT /_lab/settings', () => {
    it('injects the payload into every page until switched off', async () => {
      await callLab(spa, 'PUT', '/settings', { xss: 'steal-storage' });
      try {
        for (const path of ['/', '/spa-callback?code=x', '/notes/deep/link']) {
          expect(await (await fetch(`${spa.url}${path}`)).text()).toContain(INJECTED);
        }
      } finally {
        await callLab(spa, 'PUT', '/settings', { xss: null });
      }
      expect(await (await fetch(`${spa.url}/`)).text()).not.toContain('/@lab-xss/');
    });

    it("serves the attacker's payload from the app's own origin, as a stored XSS would be", async () => {
      await callLab(spa, 'PUT', '/settings', { xss: 'steal-storage' });
      try {
        const script = await fetch(`${spa.url}/@lab-xss/steal-storage.js`);
        expect(script.status).toBe(200);
        expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect(script.headers.get('cache-control')).toBe('no-store');
        // The app's CSP applies to it (script-src 'self' lets it run; connect-src limits where it sends).
        expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(await script.text()).toBe(PAYLOAD);
        expect(attackerSeen.at(-1)).toBe('GET /payloads/steal-storage.js');

        // Only the payload switched on.
        expect((await fetch(`${spa.url}/@lab-xss/proxy-calls.js`)).status).toBe(404);
      } finally {
        await callLab(spa, 'PUT', '/settings', { xss: null });
      }
      expect((await fetch(`${spa.url}/@lab-xss/steal-storage.js`)).status).toBe(404);
    });

    it('answers 502 when the attacker site is down', async () => {
      // A port that was free a moment ago: nothing listens there.
      const probe = createHttpServer();
      await new Promise<void>((resolve) => probe.listen(0, '::1', resolve));
      const closedPort = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      const lonely = await startTestSpa({ LAB_CONTROL_KEY: TEST_LAB_KEY, ATTACKER_PORT: String(closedPort) }, serve);
      try {
        lonely.settings.xss = 'steal-storage';
        const script = await fetch(`${lonely.url}/@lab-xss/steal-storage.js`);
        expect(script.status).toBe(502);
        expect(await script.json()).toEqual({
          error: 'attacker_unreachable',
          message: `The XSS hook could not fetch the "steal-storage" payload from the attacker at http://[::1]:${closedPort}. Is it running?`,
        });
      } finally {
        await lonely.close();
      }
    });
  });
});
