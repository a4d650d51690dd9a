import type { LabTopology } from '@lab/shared';
import type { Category, HostileCase, TargetName } from './hostile-case.ts';
import type { RawRequest } from './raw-http.ts';

const CSRF: [string, string] = ['X-CSRF', '1'];
const SESSION: [string, string] = ['Cookie', '{{session}}'];
const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const NOTE = '{"text":"hostile-input probe"}';

function pinned(category: Category, target: TargetName, label: string, request: RawRequest, signInReturnTo?: string): HostileCase {
  return { category, target, label: `pinned: ${label}`, request, ...(signInReturnTo !== undefined ? { signInReturnTo } : {}) };
}

/**
 * The requests of issue 8's defect list (and of crashes this suite found), sent in every run
 * whatever the seed: the bounded run in `npm test` draws too few cases to be sure to hit each.
 */
export function pinnedCases(topology: LabTopology): Map<Category, HostileCase[]> {
  const attacker = new URL(topology.attacker.url).host;
  const deep = {
    repeated: [
      ['[', 5000],
      [']', 5000],
    ] as Array<[string, number]>,
  };
  const megabyte = {
    repeated: [
      ['{"text":"', 1],
      ['a', 1024 * 1024 - 11],
      ['"}', 1],
    ] as Array<[string, number]>,
  };
  const upgrade: Array<[string, string]> = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
  ];
  const basic = (credentials: string): [string, string] => ['Authorization', `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`];
  const form: [string, string] = ['Content-Type', 'application/x-www-form-urlencoded'];
  return new Map<Category, HostileCase[]>([
    [
      'percent-encoding',
      [
        pinned('percent-encoding', 'spa', 'GET /bff/user?%=1', { method: 'GET', target: '/bff/user?%=1', headers: [SESSION, CSRF] }),
        pinned('percent-encoding', 'bff', 'GET /bff/user?%=1', { method: 'GET', target: '/bff/user?%=1', headers: [SESSION, CSRF] }),
        pinned('percent-encoding', 'resource-api', 'GET /notes?code=%zz', {
          method: 'GET',
          target: '/notes?code=%zz',
          headers: [['Authorization', 'Bearer {{bearer}}']],
        }),
        pinned('percent-encoding', 'authserver', 'GET /auth?%=1', { method: 'GET', target: '/auth?%=1', headers: [] }),
        pinned('percent-encoding', 'authserver', 'Basic b%ff:x at /token', {
          method: 'POST',
          target: '/token',
          headers: [basic('b%ff:x'), form],
          body: 'grant_type=x',
        }),
        pinned('percent-encoding', 'spa', 'GET /bff/callback?code=%E0%A4%A&state=%', {
          method: 'GET',
          target: '/bff/callback?code=%E0%A4%A&state=%',
          headers: [SESSION],
        }),
        pinned('percent-encoding', 'spa', 'POST /api/notes?%=1', { method: 'POST', target: '/api/notes?%=1', headers: [SESSION, CSRF, JSON_TYPE], body: NOTE }),
        pinned('percent-encoding', 'resource-api', 'POST /notes?%=1', {
          method: 'POST',
          target: '/notes?%=1',
          headers: [['Authorization', 'Bearer {{bearer}}'], JSON_TYPE],
          body: NOTE,
        }),
        pinned('percent-encoding', 'spa', 'POST /bff/logout?%=1', { method: 'POST', target: '/bff/logout?%=1', headers: [SESSION, CSRF] }),
        pinned('percent-encoding', 'spa', 'GET /%aindex.html (Vite)', { method: 'GET', target: '/%aindex.html', headers: [['Accept', 'text/html']] }),
      ],
    ],
    [
      'json',
      [
        pinned('json', 'spa', "'['×5000 to /api/notes", { method: 'POST', target: '/api/notes', headers: [SESSION, CSRF, JSON_TYPE], body: deep }),
        pinned('json', 'bff', "'['×5000 to /api/notes", { method: 'POST', target: '/api/notes', headers: [SESSION, CSRF, JSON_TYPE], body: deep }),
        pinned('json', 'resource-api', "'['×5000 to /notes", {
          method: 'POST',
          target: '/notes',
          headers: [['Authorization', 'Bearer {{bearer}}'], JSON_TYPE],
          body: deep,
        }),
        pinned('json', 'spa', 'Content-Encoding: gzip, not gzipped', {
          method: 'POST',
          target: '/api/notes',
          headers: [SESSION, CSRF, JSON_TYPE, ['Content-Encoding', 'gzip']],
          body: NOTE,
        }),
        pinned('json', 'resource-api', 'Content-Encoding: br, not brotli', {
          method: 'POST',
          target: '/notes',
          headers: [['Authorization', 'Bearer {{bearer}}'], JSON_TYPE, ['Content-Encoding', 'br']],
          body: NOTE,
        }),
      ],
    ],
    [
      'oversize',
      [1, 2, 3].map((attempt) =>
        pinned('oversize', 'spa', `1 MB to the app's /api/notes (${attempt} of 3)`, {
          method: 'POST',
          target: '/api/notes',
          headers: [SESSION, CSRF, JSON_TYPE],
          body: megabyte,
        }),
      ),
    ],
    [
      'websocket',
      [
        pinned('websocket', 'spa', 'Upgrade: websocket to /api/notes', { method: 'GET', target: '/api/notes', headers: upgrade }),
        pinned('websocket', 'spa', 'Upgrade: websocket to /bff/user', { method: 'GET', target: '/bff/user', headers: [...upgrade, SESSION, CSRF] }),
        pinned('websocket', 'spa', 'Upgrade: websocket to /', { method: 'GET', target: '/', headers: upgrade }),
      ],
    ],
    [
      'framing',
      [
        pinned('framing', 'authserver', 'Host "[::1" at discovery', {
          method: 'GET',
          target: '/.well-known/openid-configuration',
          headers: [['Host', '[::1']],
        }),
      ],
    ],
    ['paths', [pinned('paths', 'spa', 'GET /\\ (Vite)', { method: 'GET', target: '/\\', headers: [] })]],
    [
      'return-to',
      [`/..//${attacker}/landing`, '/.//evil.example', '/%2e//evil.example', '/a/..//evil.example', '/\\evil.example', '/\t/evil.example'].map((returnTo) =>
        pinned(
          'return-to',
          'spa',
          'returnTo from the issue, followed through a sign-in',
          { method: 'GET', target: `/bff/login?returnTo=${encodeURIComponent(returnTo)}`, headers: [] },
          returnTo,
        ),
      ),
    ],
  ]);
}
