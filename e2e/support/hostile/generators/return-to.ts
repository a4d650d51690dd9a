import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase, TargetName } from '../hostile-case.ts';
import { utf8AsLatin1 } from '../raw-http.ts';

/**
 * What may come before a host name for a browser to leave the app: an empty or doubled slash,
 * a backslash (browsers read `/\` as `//`), dot segments that collapse into `//` once resolved
 * (`/..//host`), encoded dots and slashes, tabs and newlines (stripped by the URL parser), schemes.
 */
const PREFIXES = [
  '',
  '/',
  '//',
  '///',
  '////',
  '/\\',
  '\\\\',
  '\\/',
  '/./',
  '/.//',
  '/../',
  '/..//',
  '/%2e/',
  '/%2e//',
  '/%2e%2e//',
  '/%2E%2E/',
  '/a/../',
  '/a/..//',
  '/.%2e//',
  '/%2f',
  '/%2f/',
  '%2f%2f',
  '/%252f%252f',
  '%5c%5c',
  '/%5c',
  '/\t/',
  '/\n/',
  '/\r\n/',
  '/%09/',
  '/%0a/',
  ' //',
  '\t//',
  'http:',
  'http:/',
  'http://',
  'https://',
  'HTTP://',
  'http:\\\\',
  'javascript:',
  'data:text/html,',
  '/http://',
  '//@',
  '/@',
  '@',
  '%00//',
  '/\u3002/',
  '/%E3%80%82/',
  '/;/',
  '/?/',
  '/#/',
  '/ /',
  '/%20/',
  '/.\\/',
  '/..\\',
  '/a/%2e%2e/%2f',
];
const TAILS = ['', '/landing', '/landing?x=1', '#frag', '/%2e%2e/%2e%2e/x', '/..', '\\..\\x', '/notes', '?returnTo=//evil.example'];

function hostsOf(topology: LabTopology): string[] {
  const spa = new URL(topology.spa.url).host;
  return [
    'evil.example',
    new URL(topology.attacker.url).host,
    new URL(topology.authserver.url).host,
    `${spa}@evil.example`,
    'evil.example\\@localhost',
    '%65vil.example',
    'evil%2eexample',
    'localhost.evil.example',
    '0x7f.1',
    '2130706433',
    'evil\u3002example',
    '',
    'localhost',
    spa,
    'alert(document.domain)',
    'user:pass@evil.example',
    'notes',
  ];
}

/** How the value travels in the query: percent-encoded once (as a link carries it), twice, raw, duplicated. */
const ENCODINGS = ['once', 'once', 'once', 'twice', 'raw', 'duplicated', 'array', 'other case'] as const;

/**
 * `returnTo` on `GET /bff/login`: where the user lands after signing in. Whatever it holds, the
 * BFF must either refuse it (400) or, after the sign-in, redirect within the app's origin: a
 * path that no browser resolves to another host (RFC 9700 §4.11: open redirectors). One case
 * in eight is followed through a real sign-in (as bob) to see the `Location` of the callback.
 */
export function returnToCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  return fc
    .record({
      target: fc.constantFrom<TargetName>('spa', 'spa', 'spa', 'bff'),
      prefix: fc.constantFrom(...PREFIXES),
      host: fc.constantFrom(...hostsOf(topology)),
      tail: fc.constantFrom(...TAILS),
      noise: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }),
      encoding: fc.constantFrom(...ENCODINGS),
      followed: fc.nat(7),
    })
    .map(({ target, prefix, host, tail, noise, encoding, followed }) => {
      const returnTo = `${prefix}${noise}${host}${tail}`;
      const signIn = followed === 0;
      const query = encodeQuery(returnTo, signIn ? 'once' : encoding);
      const request = { method: 'GET', target: `/bff/login?${query}`, headers: [['Accept', 'text/html']] as Array<[string, string]> };
      const label = signIn ? 'returnTo, followed through a sign-in' : `returnTo (${encoding})`;
      return { category: 'return-to', target: signIn ? 'spa' : target, label, request, ...(signIn ? { signInReturnTo: returnTo } : {}) } satisfies HostileCase;
    });
}

function encodeQuery(value: string, encoding: (typeof ENCODINGS)[number]): string {
  const once = encodeURIComponent(value);
  switch (encoding) {
    case 'once':
      return `returnTo=${once}`;
    case 'twice':
      return `returnTo=${encodeURIComponent(once)}`;
    case 'raw':
      // As typed into an address bar: only what would break the request line is escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes a request line cannot carry raw
      return `returnTo=${utf8AsLatin1(value).replace(/[\x00-\x20#\x7f-\xff]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
    case 'duplicated':
      return `returnTo=%2F&returnTo=${once}`;
    case 'array':
      return `returnTo[]=${once}&returnTo[x]=${once}`;
    case 'other case':
      return `RETURNTO=${once}&returnto=${once}`;
  }
}
