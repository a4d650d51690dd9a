import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase } from '../hostile-case.ts';
import { toRawRequest } from '../request-parts.ts';
import { utf8AsLatin1 } from '../raw-http.ts';
import { aim } from './common.ts';

/** Segments that mean "go up", "stay", "another separator" or nothing, spelled every way a decoder might take. */
const TRICK_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '%2e',
  '.%2e',
  '%2e.',
  '%252e%252e',
  '%c0%ae%c0%ae',
  '%uff0e%uff0e',
  '..;',
  ';',
  '',
  '%00',
  '..%00',
  '..%2f',
  '..%5c',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%252f',
  '\\',
  '..\\',
  '\\..',
  '%09',
  '%20',
  '~',
  '*',
  utf8AsLatin1('ö'),
  '\xff',
  '\x7f',
  'x/..',
  'healthz',
  '_lab',
  '@fs',
  '@id',
  'bff',
  'api',
  'notes',
  '.git',
  '.env',
  'node_modules',
  'package.json',
  '%3f',
  '%23',
  ':',
  '@',
];
const SEPARATORS = ['/', '/', '/', '//', '\\', '%2f', '%5c', '/./', '/../'];

/**
 * Path tricks against routing and the BFF's API proxy allow-list: dot segments (plain, encoded,
 * double-encoded, overlong UTF-8), encoded and doubled slashes, backslashes, `//host` and
 * absolute-form targets (RFC 9112 §3.2.2), NUL and non-UTF-8 bytes, and Vite's own file routes
 * (`/@fs/`, `/node_modules/`). Routing may refuse them (4xx) or normalise them; none may give a 5xx,
 * and the proxy must never forward one to another host.
 */
export function pathCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  const generated = fc
    .record({
      aim: aim(topology),
      tricks: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...TRICK_SEGMENTS)), { minLength: 1, maxLength: 3 }),
      first: fc.constantFrom('/', '/', '/', '//', '/\\', '\\'),
      separators: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 8, maxLength: 8 }),
      prefix: fc.constantFrom(
        '',
        '',
        '',
        '/',
        '//evil.example',
        '///evil.example',
        '/\\evil.example',
        'http://evil.example',
        `http://${hostOf(topology.bff.url)}`,
        'https://evil.example:443',
        '//localhost',
      ),
    })
    .map(({ aim: { target, route, parts }, tricks, first, separators, prefix }) => {
      const segments = parts.path.split('/').filter(Boolean);
      for (const [position, trick] of tricks) segments.splice(position % (segments.length + 1), 0, trick);
      // The first separator is a slash (or looks like one), so that most targets are origin-form and reach routing.
      const path = segments.map((segment, index) => `${index === 0 ? first : separators[index % separators.length]}${segment}`).join('');
      parts.path = `${prefix}${path}` || '/';
      return { category: 'paths', target, label: `path tricks: ${route.method} ${route.path}`, request: toRawRequest(parts) } satisfies HostileCase;
    });

  const fixed = fc.record({ aim: aim(topology), special: fc.constantFrom(...specialTargets(topology)) }).map(({ aim: { target, parts }, special }) => {
    parts.path = special;
    parts.query = '';
    return { category: 'paths', target, label: `special target: ${special.slice(0, 40)}`, request: toRawRequest(parts) } satisfies HostileCase;
  });

  return fc.oneof({ weight: 4, arbitrary: generated }, { weight: 1, arbitrary: fixed });
}

/** Request targets worth trying everywhere: asterisk- and authority-form, traversal to files, long and deep paths. */
function specialTargets(topology: LabTopology): string[] {
  const repo = process.cwd();
  return [
    '*',
    hostOf(topology.bff.url),
    'evil.example:80',
    'http://evil.example/api/notes',
    `http://${hostOf(topology.spa.url)}/api/notes`,
    '/@fs/etc/passwd',
    `/@fs${repo}/package.json`,
    `/@fs${repo}/.lab/run.json`,
    '/@id/../../package.json',
    '/src/../../package.json',
    '/src/%2e%2e/%2e%2e/package.json',
    '/node_modules/.vite/deps/../../../package.json',
    '/.git/config',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    `/${'%2e%2e/'.repeat(40)}etc/passwd`,
    `/${'a/'.repeat(1000)}`,
    `/${'../'.repeat(500)}`,
    `/api/${'notes/'.repeat(300)}`,
    '/api/notes%00.json',
    '/api/notes;jsessionid=1',
    '/api/notes/',
    '/API/NOTES',
    '/api/%6eotes',
    '/bff/xray/../../_lab/settings',
    '/bff/%2e%2e/_lab/settings',
    '/api/..%2f_lab%2fsettings',
    '/api//evil.example/notes',
    '/api/%2f%2fevil.example/notes',
    '/api/\\\\evil.example/notes',
    '/api/@evil.example/notes',
  ];
}

function hostOf(url: string): string {
  return new URL(url).host;
}
