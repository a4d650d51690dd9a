import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase } from '../hostile-case.ts';
import { headerOf, setHeader, toRawRequest, type RequestParts } from '../request-parts.ts';
import { utf8AsLatin1 } from '../raw-http.ts';
import { aim, base64urlJson } from './common.ts';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,43}$/);

/**
 * The BFF's signed session cookie (koa-session: `bff_session` and its HMAC in `bff_session.sig`),
 * forged, unsigned, re-signed for another id, tampered, duplicated, quoted, oversized and
 * non-ASCII. A signature that does not match must mean "no session" (401), never a crash.
 */
function sessionCookies(forged: string, forgedSig: string): string[] {
  return [
    `bff_session=${forged}; bff_session.sig=${forgedSig}`,
    'bff_session={{sessionId}}',
    `bff_session={{sessionId}}; bff_session.sig=${forgedSig}`,
    `bff_session=${forged}; bff_session.sig={{sessionSig}}`,
    'bff_session={{sessionId}}x; bff_session.sig={{sessionSig}}',
    'bff_session.sig={{sessionSig}}',
    `bff_session=${forged}; bff_session.sig=${forgedSig}; {{session}}`,
    `{{session}}; bff_session=${forged}; bff_session.sig=${forgedSig}`,
    'bff_session="{{sessionId}}"; bff_session.sig="{{sessionSig}}"',
    'bff_session= {{sessionId}} ; bff_session.sig= {{sessionSig}} ',
    'BFF_SESSION={{sessionId}}; BFF_SESSION.SIG={{sessionSig}}',
    'bff_session={{sessionSig}}; bff_session.sig={{sessionId}}',
    `bff_session=${'a'.repeat(4096)}; bff_session.sig=${forgedSig}`,
    'bff_session=\xff\xfe; bff_session.sig=\xc3\xa9',
    `bff_session=${utf8AsLatin1('séssion')}; bff_session.sig={{sessionSig}}`,
    '',
    ';;;',
    '=',
    'bff_session',
    'bff_session=',
    'bff_session=; bff_session.sig=',
    '__proto__=x; constructor=y; toString=z; hasOwnProperty=1; valueOf=2',
    `bff_session=${forged}==; bff_session.sig=${forgedSig}+/==`,
  ];
}

/** The authorization server's cookies: its login session and the interaction's, forged or tampered. */
function authserverCookies(forged: string, forgedSig: string): string[] {
  return [
    `_session=${forged}; _session.sig=${forgedSig}`,
    `_session=${forged}`,
    `_interaction=${forged}; _interaction.sig=${forgedSig}`,
    `{{interactionCookies}}; _interaction=${forged}`,
    `_interaction=${forged}; {{interactionCookies}}`,
    '{{asSession}}; _session.sig=x',
    `{{asSession}}; _session=${forged}`,
    `_session.legacy=${forged}; _session.legacy.sig=${forgedSig}`,
    `_interaction_resume=${forged}; _interaction_resume.sig=${forgedSig}`,
    '_session="\\"; _interaction=\\x00',
    `_session=${'s'.repeat(4096)}`,
  ];
}

/** Hand-made JWTs: right shape, wrong everything else. None is signed with the authorization server's key. */
function forgedTokens(topology: LabTopology, forgedSig: string): string[] {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: topology.authserver.url,
    aud: `${topology['resource-api'].url}`,
    sub: 'bob',
    exp: now + 3600,
    iat: now,
    scope: 'notes:read notes:write',
  };
  const jwt = (header: unknown, payload: unknown, signature = forgedSig) => `${base64urlJson(header)}.${base64urlJson(payload)}.${signature}`;
  return [
    '{{bearerBadSignature}}',
    '{{bearerAlgNone}}',
    jwt({ alg: 'none' }, claims, ''),
    jwt({ alg: 'HS256', typ: 'at+jwt' }, claims),
    jwt({ alg: 'RS256', kid: '../../../../etc/passwd' }, claims),
    jwt({ alg: 'RS256', jku: 'http://evil.example/jwks.json' }, claims),
    jwt({ alg: 'RS256', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }, claims),
    jwt({ alg: 'RS256', crit: ['x'] }, claims),
    jwt({ alg: 'RS256', b64: false, crit: ['b64'] }, claims),
    jwt({ alg: 'ES256', kid: 'x' }, { ...claims, exp: 'never' }),
    jwt({ alg: 'RS256' }, [1, 2, 3]),
    `${base64urlJson({ alg: 'RS256' })}.bm90IGpzb24.${forgedSig}`,
    `eyJ%zz.eyJ.${forgedSig}`,
    'a.b.c',
    'a.b.c.d.e',
    '....',
    forgedSig,
  ];
}

const AUTHORIZATION_SCHEMES = ['Bearer', 'Bearer', 'Bearer', 'bearer', 'BEARER', 'Bearer ', 'DPoP', 'Basic', 'Token', 'MAC'];
const BASIC_CREDENTIALS = [
  '',
  '!!!',
  Buffer.from('nocolon').toString('base64'),
  Buffer.from(':').toString('base64'),
  Buffer.from('bff:').toString('base64'),
  Buffer.from(':secret').toString('base64'),
  Buffer.from('spa-public:x').toString('base64'),
  Buffer.from('mallory-app:x').toString('base64'),
  Buffer.from(utf8AsLatin1('bfф:sécret'), 'latin1').toString('base64'),
  `${Buffer.from('bff:x').toString('base64')}===`,
  'YmZmOng=YmZmOng=',
];
const CSRF_VALUES = ['0', '1, 1', '', 'true', ' 1', '1\t', 'x'];

/**
 * Bad and forged credentials: session cookies and signatures at the BFF, cookies at the
 * authorization server, bearer tokens at the resource API (forged, `alg: none`, bad signature,
 * unknown `kid`, odd schemes), Basic client credentials at the token endpoint, odd `X-CSRF`.
 */
export function credentialCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  return fc
    .record({
      aim: aim(topology),
      forged: token,
      forgedSig: token,
      pick: fc.nat(),
      scheme: fc.constantFrom(...AUTHORIZATION_SCHEMES),
      csrf: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...CSRF_VALUES) }),
      twice: fc.nat(5),
    })
    .map(({ aim: { target, route, parts }, forged, forgedSig, pick, scheme, csrf, twice }) => {
      let label: string;
      if (route.auth === 'bearer') {
        const tokens = forgedTokens(topology, forgedSig);
        const chosen = tokens[pick % tokens.length]!;
        setHeader(parts, 'Authorization', `${scheme} ${chosen}`);
        if (twice === 0) parts.headers.push(['Authorization', 'Bearer {{bearer}}']);
        label = `bearer: ${scheme} ${describeToken(chosen)}${twice === 0 ? ' + a second Authorization' : ''}`;
      } else if (route.auth === 'basic') {
        const credentials = BASIC_CREDENTIALS[pick % BASIC_CREDENTIALS.length]!;
        setHeader(parts, 'Authorization', `Basic ${credentials}`);
        label = `Basic client credentials #${pick % BASIC_CREDENTIALS.length}`;
      } else {
        const cookies = target === 'authserver' ? authserverCookies(forged, forgedSig) : sessionCookies(forged, forgedSig);
        const index = pick % cookies.length;
        setCookies(parts, cookies[index]!, twice === 0);
        label = `${target === 'authserver' ? 'authserver' : 'session'} cookie #${index}${twice === 0 ? ' (two Cookie headers)' : ''}`;
      }
      if (csrf !== undefined && headerOf(parts, 'X-CSRF') !== undefined) {
        setHeader(parts, 'X-CSRF', csrf);
        label += `, X-CSRF "${csrf}"`;
      }
      return { category: 'credentials', target, label: `${label}: ${route.method} ${route.path}`, request: toRawRequest(parts) } satisfies HostileCase;
    });
}

function setCookies(parts: RequestParts, cookie: string, twoHeaders: boolean): void {
  setHeader(parts, 'Cookie', cookie);
  // Two Cookie headers: RFC 9113 allows them in HTTP/2, HTTP/1.1 servers join or pick one.
  if (twoHeaders) parts.headers.push(['Cookie', '{{session}}']);
}

function describeToken(value: string): string {
  if (value.startsWith('{{')) return value;
  const [header] = value.split('.');
  try {
    return `forged ${JSON.stringify(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()))}`;
  } catch {
    return `"${value.slice(0, 24)}"`;
  }
}
