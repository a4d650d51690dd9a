import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase, TargetName } from '../hostile-case.ts';
import { routesOf } from '../surfaces.ts';

type Framer = (host: string, path: string) => string;

const CRLF = '\r\n';
const post = (host: string, path: string, headers: string, body: string) =>
  `POST ${path} HTTP/1.1${CRLF}Host: ${host}${CRLF}Content-Type: application/json${CRLF}X-CSRF: 1${CRLF}${headers}Connection: close${CRLF}${CRLF}${body}`;
const get = (host: string, path: string, headers: string) =>
  `GET ${path} HTTP/1.1${CRLF}Host: ${host}${CRLF}X-CSRF: 1${CRLF}${headers}Connection: close${CRLF}${CRLF}`;

/**
 * Requests whose framing is wrong, each complete (a server never has to wait for more bytes to
 * decide): Content-Length and Transfer-Encoding together (request smuggling, RFC 9112 §6.3),
 * two lengths, bad chunks, obsolete line folding, bad header names, no or odd Host, odd
 * versions, bare LF, an HTTP/2 preface, a TLS hello. Node's parser answers most with 400; what
 * reaches an app or a proxy must not become a 5xx.
 */
const FRAMERS: ReadonlyArray<readonly [string, Framer]> = [
  ['Content-Length with Transfer-Encoding', (h, p) => post(h, p, `Content-Length: 4${CRLF}Transfer-Encoding: chunked${CRLF}`, `0${CRLF}${CRLF}`)],
  ['two different Content-Lengths', (h, p) => post(h, p, `Content-Length: 3${CRLF}Content-Length: 4${CRLF}`, '{}  ')],
  ['Content-Length "1,1"', (h, p) => post(h, p, `Content-Length: 1,1${CRLF}`, 'x')],
  ['Content-Length "+2"', (h, p) => post(h, p, `Content-Length: +2${CRLF}`, '{}')],
  ['Content-Length "-1"', (h, p) => post(h, p, `Content-Length: -1${CRLF}`, '')],
  ['Content-Length overflow', (h, p) => post(h, p, `Content-Length: 99999999999999999999999${CRLF}`, '{}')],
  ['Transfer-Encoding "chunked, identity"', (h, p) => post(h, p, `Transfer-Encoding: chunked, identity${CRLF}`, `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['Transfer-Encoding "xchunked"', (h, p) => post(h, p, `Transfer-Encoding: xchunked${CRLF}`, `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['Transfer-Encoding twice', (h, p) => post(h, p, `Transfer-Encoding: chunked${CRLF}Transfer-Encoding: chunked${CRLF}`, `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['space before the colon', (h, p) => post(h, p, `Transfer-Encoding : chunked${CRLF}`, `2${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['chunk size not hex', (h, p) => post(h, p, `Transfer-Encoding: chunked${CRLF}`, `zz${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['chunk size overflow', (h, p) => post(h, p, `Transfer-Encoding: chunked${CRLF}`, `fffffffffffffffffff${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['chunk extension with NUL', (h, p) => post(h, p, `Transfer-Encoding: chunked${CRLF}`, `2;x=\x00${CRLF}{}${CRLF}0${CRLF}${CRLF}`)],
  ['chunks with bare LF', (h, p) => post(h, p, `Transfer-Encoding: chunked${CRLF}`, `2\n{}\n0\n\n`)],
  ['chunk longer than its size', (h, p) => post(h, p, `Transfer-Encoding: chunked${CRLF}`, `1${CRLF}{}}${CRLF}0${CRLF}${CRLF}`)],
  ['obsolete line folding', (h, p) => get(h, p, `X-Folded: a${CRLF} b${CRLF}`)],
  ['header name with a space', (h, p) => get(h, p, `Bad Header: x${CRLF}`)],
  ['header without a colon', (h, p) => get(h, p, `NoColon${CRLF}`)],
  ['empty header name', (h, p) => get(h, p, `: x${CRLF}`)],
  ['NUL in a header value', (h, p) => get(h, p, `X-Nul: a\x00b${CRLF}`)],
  ['CR in a header value', (h, p) => get(h, p, `X-Cr: a\rb${CRLF}`)],
  ['non-ASCII header name', (h, p) => get(h, p, `X-\xe9: x${CRLF}`)],
  ['no Host (HTTP/1.1)', (_h, p) => `GET ${p} HTTP/1.1${CRLF}Connection: close${CRLF}${CRLF}`],
  ['no Host (HTTP/1.0)', (_h, p) => `GET ${p} HTTP/1.0${CRLF}${CRLF}`],
  ['two Hosts', (h, p) => get(h, p, `Host: evil.example${CRLF}`)],
  ['Host with a malformed escape', (_h, p) => `GET ${p} HTTP/1.1${CRLF}Host: %zz${CRLF}Connection: close${CRLF}${CRLF}`],
  ['Host of another site', (_h, p) => `GET ${p} HTTP/1.1${CRLF}Host: evil.example${CRLF}Connection: close${CRLF}${CRLF}`],
  ['Host with userinfo', (h, p) => `GET ${p} HTTP/1.1${CRLF}Host: ${h}@evil.example${CRLF}Connection: close${CRLF}${CRLF}`],
  ['empty Host', (_h, p) => `GET ${p} HTTP/1.1${CRLF}Host: ${CRLF}Connection: close${CRLF}${CRLF}`],
  ['Host "[::1"', (_h, p) => `GET ${p} HTTP/1.1${CRLF}Host: [::1${CRLF}Connection: close${CRLF}${CRLF}`],
  ['HTTP/1.2', (h, p) => `GET ${p} HTTP/1.2${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['HTTP/2.0 request line', (h, p) => `GET ${p} HTTP/2.0${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['HTTP/3', (h, p) => `GET ${p} HTTP/3${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['lower-case version', (h, p) => `GET ${p} http/1.1${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['extra spaces in the request line', (h, p) => `GET  ${p}  HTTP/1.1${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['tab in the request line', (h, p) => `GET\t${p}\tHTTP/1.1${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['no request target', (h) => `GET HTTP/1.1${CRLF}Host: ${h}${CRLF}Connection: close${CRLF}${CRLF}`],
  ['bare LF line ends', (h, p) => `GET ${p} HTTP/1.1\nHost: ${h}\nConnection: close\n\n`],
  ['Expect: 100-continue with the body', (h, p) => post(h, p, `Expect: 100-continue${CRLF}Content-Length: 2${CRLF}`, '{}')],
  ['unknown Expect', (h, p) => post(h, p, `Expect: teapot${CRLF}Content-Length: 2${CRLF}`, '{}')],
  ['pipelined, the second one broken', (h, p) => `GET ${p} HTTP/1.1${CRLF}Host: ${h}${CRLF}${CRLF}GET %zz HTTP/9${CRLF}${CRLF}`],
  ['HTTP/2 prior-knowledge preface', () => `PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`],
  ['TLS ClientHello', () => `\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03${'\x00'.repeat(32)}\x00\x00\x02\x00\x2f\x01\x00${CRLF}${CRLF}`],
  ['NUL bytes', () => `\x00\x00\x00\x00${CRLF}${CRLF}`],
];

/** Random printable garbage or random bytes as a request (always ending in an empty line). */
const garbage = fc.oneof(
  fc.stringMatching(/^[\x20-\x7e]{1,80}$/).map((line) => ({ label: 'random request line', raw: `${line}${CRLF}${CRLF}` })),
  fc.uint8Array({ minLength: 1, maxLength: 120 }).map((bytes) => ({ label: 'random bytes', raw: `${Buffer.from(bytes).toString('latin1')}${CRLF}${CRLF}` })),
);

export function framingCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  const target = fc.constantFrom<TargetName>('spa', 'bff', 'resource-api', 'authserver');
  const framed = fc.record({ target, pick: fc.nat(), framer: fc.constantFrom(...FRAMERS) }).map(({ target: name, pick, framer: [label, frame] }) => {
    const routes = routesOf(name).filter((route) => !route.path.includes('{{'));
    const path = routes[pick % routes.length]!.path;
    return {
      category: 'framing',
      target: name,
      label,
      request: { method: 'POST', target: path, headers: [], raw: frame(new URL(topology[name].url).host, path) },
    } satisfies HostileCase;
  });
  const random = fc
    .record({ target, garbage })
    .map(
      ({ target: name, garbage: { label, raw } }) =>
        ({ category: 'framing', target: name, label, request: { method: 'GET', target: '', headers: [], raw } }) satisfies HostileCase,
    );
  return fc.oneof({ weight: 5, arbitrary: framed }, { weight: 1, arbitrary: random });
}
