import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase, TargetName } from '../hostile-case.ts';
import { toRawRequest } from '../request-parts.ts';

/** Paths to upgrade on: the proxied `/bff/*` and `/api/*`, Vite's own (`/` is its HMR socket), each service's routes. */
const PATHS: Readonly<Record<TargetName, readonly string[]>> = {
  spa: ['/api/notes', '/api/notes', '/bff/user', '/bff/login', '/bff/xray/stream', '/api/', '/bff/', '/', '/@vite/client', '/src/lab-app.ts'],
  bff: ['/api/notes', '/bff/user', '/bff/xray/stream', '/bff/login', '/healthz', '/'],
  'resource-api': ['/notes', '/healthz', '/'],
  authserver: ['/auth', '/token', '/interaction/{{uid}}', '/', '/healthz'],
};

/** A valid key (RFC 6455 §4.1: 16 random bytes, base64) and some that are not. */
const KEYS = ['dGhlIHNhbXBsZSBub25jZQ==', 'dGhlIHNhbXBsZSBub25jZQ==', 'x', '', undefined];

/**
 * Upgrade requests (RFC 9110 §7.8): WebSocket handshakes, valid and not, with and without the
 * session cookie, and other protocols (`h2c`). Each must be answered at once, accepted or
 * refused: a server (or proxy) that holds the socket open lets anyone pin its connections.
 * On the app's origin, `/bff/*` and `/api/*` must refuse (the BFF speaks no WebSocket); Vite's
 * HMR socket may accept its own protocol.
 */
export function websocketCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  return fc
    .record({
      target: fc.constantFrom<TargetName>('spa', 'spa', 'spa', 'bff', 'resource-api', 'authserver'),
      pick: fc.nat(),
      upgrade: fc.constantFrom('websocket', 'websocket', 'websocket', 'WebSocket', 'h2c', 'websocket, h2c', 'TLS/1.0', 'foo'),
      connection: fc.constantFrom('Upgrade', 'Upgrade', 'keep-alive, Upgrade', 'upgrade', 'close, Upgrade'),
      key: fc.constantFrom(...KEYS),
      version: fc.constantFrom('13', '13', '13', '8', 'x', undefined),
      protocol: fc.constantFrom(undefined, undefined, 'vite-hmr', 'vite-ping', 'chat'),
      origin: fc.constantFrom(undefined, topology.spa.url, topology.attacker.url, 'null'),
      signedIn: fc.boolean(),
      method: fc.constantFrom('GET', 'GET', 'GET', 'POST'),
    })
    .map(({ target, pick, upgrade, connection, key, version, protocol, origin, signedIn, method }) => {
      const paths = PATHS[target];
      const path = paths[pick % paths.length]!;
      const headers: Array<[string, string]> = [
        ['Upgrade', upgrade],
        ['Connection', connection],
      ];
      if (upgrade.includes('websocket') || upgrade === 'WebSocket') {
        if (key !== undefined) headers.push(['Sec-WebSocket-Key', key]);
        if (version !== undefined) headers.push(['Sec-WebSocket-Version', version]);
        if (protocol !== undefined) headers.push(['Sec-WebSocket-Protocol', protocol]);
      } else if (upgrade === 'h2c') {
        headers.push(['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA']);
      }
      if (origin !== undefined) headers.push(['Origin', origin]);
      if (signedIn && (target === 'spa' || target === 'bff')) headers.push(['Cookie', '{{session}}'], ['X-CSRF', '1']);
      if (target === 'authserver' && path.startsWith('/interaction')) headers.push(['Cookie', '{{interactionCookies}}']);
      const parts = { method, path, query: '', headers, ...(method === 'POST' ? { body: '{"text":"over a socket"}' } : {}) };
      if (method === 'POST') headers.push(['Content-Type', 'application/json']);
      const label = `Upgrade: ${upgrade.toLowerCase()} to ${path}`;
      return { category: 'websocket', target, label, request: toRawRequest(parts) } satisfies HostileCase;
    });
}
