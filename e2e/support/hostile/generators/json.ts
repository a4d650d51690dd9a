import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase } from '../hostile-case.ts';
import { removeHeader, setHeader, toRawRequest } from '../request-parts.ts';
import { expandBody, utf8AsLatin1 } from '../raw-http.ts';
import { aim } from './common.ts';

const NOTE = '{"text":"hostile-input probe"}';

/** Bodies no JSON parser should accept, and some it accepts that a handler may not expect. */
const BROKEN_BODIES = [
  '',
  ' ',
  '{',
  '[',
  '"',
  '{"text":"abc',
  '{"text":"a"}garbage',
  '{"text":"a"}{"text":"b"}',
  ',',
  '{"text":"a",}',
  "{'text':'a'}",
  '{text:"a"}',
  'NaN',
  'Infinity',
  '-',
  '1e99999',
  '-0',
  '0x10',
  'undefined',
  'null',
  'true',
  '0',
  '""',
  '[]',
  '{}',
  '{"text":"\\ud800"}',
  '{"text":"\\u00"}',
  '{"text":"\\x41"}',
  '{"text":"a\u0000b"}',
  '{"text":null}',
  '{"text":["a"]}',
  '{"text":{"$gt":""}}',
  '{"text":1e400}',
  `{"text":${'9'.repeat(5000)}}`,
  '{"__proto__":{"text":"polluted"}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"text":"a","text":"b"}',
  utf8AsLatin1('\ufeff{"text":"bom"}'),
  utf8AsLatin1('{"text":"\u2028\u2029 unicode ✓"}'),
  '\xff\xfe{\x00"\x00t\x00',
  '{"text":"\xc3\x28"}',
  '{"text":"\xed\xa0\x80"}',
  '\x00\x00\x00',
];

/** 1 MB of JSON in about 1 KB of gzip. */
const GZIP_BOMB = gzipSync(Buffer.from(`[${'0,'.repeat(512 * 1024)}0]`)).toString('latin1');

/** Nested arrays and objects, below and above the body limit: `JSON.stringify` overflows at a few thousand levels. */
const NESTING = [
  { open: '[', close: ']' },
  { open: '{"a":', close: '}' },
  { open: '[{"a":', close: '}]' },
  { open: '{"text":[', close: ']}' },
];

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/json; charset="utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json-patch+json',
  'application/merge-patch+json',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json, text/html',
  ';;;',
  '',
  '*/*',
];

/**
 * Bad JSON where services parse JSON (the notes, the seed flow's `/bff/code`; the authorization
 * server's form endpoints get it too): broken syntax, deep nesting (`[`×5000 is 10 KB, under the
 * limit), random JSON, bodies in odd content types, charsets and content encodings (a gzip bomb
 * included). Each must be a 4xx with a stable code, not a 502 from a crash further on.
 */
export function jsonCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  const bodies = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BROKEN_BODIES).map((text) => ({ kind: 'broken JSON', text })) },
    {
      weight: 4,
      arbitrary: fc
        .record({ shape: fc.constantFrom(...NESTING), depth: fc.constantFrom(64, 500, 1000, 2500, 5000, 7000, 8000), closed: fc.boolean() })
        .map(({ shape, depth, closed }) => ({
          kind: `nesting ${shape.open}×${depth}${closed ? '' : ' (unclosed)'}`,
          repeated: [
            [shape.open, depth],
            ['1', 1],
            [shape.close, closed ? depth : 0],
          ] as Array<[string, number]>,
        })),
    },
    { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map((text) => ({ kind: 'random JSON', text: utf8AsLatin1(text) })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat(NOTE.length), fc.string({ maxLength: 3 }), fc.boolean()).map(([at, inserted, cut]) => ({
        kind: 'mutated note',
        text: utf8AsLatin1(cut ? NOTE.slice(0, at) : `${NOTE.slice(0, at)}${inserted}${NOTE.slice(at)}`),
      })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'random bytes', text: Buffer.from(bytes).toString('latin1') })) },
  );
  return fc
    .record({
      aim: aim(topology, { routes: (route) => route.body !== undefined }),
      body: bodies,
      type: fc.constantFrom(...CONTENT_TYPES),
      encoding: fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('gzip', 'gzip (not gzipped)', 'deflate', 'br', 'x-unknown', 'gzip, gzip', 'gzip bomb') },
      ),
    })
    .map(({ aim: { target, route, parts }, body, type, encoding }) => {
      const text = 'repeated' in body ? expandBody(body).toString('latin1') : body.text;
      parts.body = text;
      if (type === '') removeHeader(parts, 'Content-Type');
      else setHeader(parts, 'Content-Type', type);
      if (encoding) {
        setHeader(parts, 'Content-Encoding', encoding.split(' ')[0]!.replace(',', ', '));
        if (encoding === 'gzip') parts.body = gzipSync(Buffer.from(text, 'latin1')).toString('latin1');
        // A parser that inflates before it counts holds the whole megabyte.
        if (encoding === 'gzip bomb') parts.body = GZIP_BOMB;
        if (encoding === 'gzip, gzip') setHeader(parts, 'Content-Encoding', 'gzip, gzip');
      }
      const label = `${body.kind}${encoding ? ` (${encoding})` : ''} as ${type || 'no type'}: ${route.method} ${route.path}`;
      // A nested body stays a description (small to hold, and its reproduction stays short).
      const request = toRawRequest(parts, 'repeated' in body && !encoding ? { body: { repeated: body.repeated } } : {});
      return { category: 'json', target, label, request } satisfies HostileCase;
    });
}
