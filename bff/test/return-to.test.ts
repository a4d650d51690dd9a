import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toLocalPath } from '../src/return-to.ts';

const APP = 'http://localhost:5173';

describe('toLocalPath (returnTo validation)', () => {
  it.each([
    ['/', '/'],
    ['/notes?tab=mine#top', '/notes?tab=mine#top'],
    ['/a/../b', '/b'],
  ])('keeps the local path %s', (value, expected) => {
    expect(toLocalPath(value, APP)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'http:evil.example',
    'javascript:alert(1)',
    '/\t/evil.example',
    'evil.example',
    '',
  ])('refuses %j, which a browser would resolve to another origin or not as a path', (value) => {
    expect(toLocalPath(value, APP)).toBeUndefined();
  });
});

describe('toLocalPath: what it returns is always a same-origin path, whatever the input', () => {
  it.each([
    '/..//[::1]:6660/landing',
    '/.//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/a/..//evil.example',
    '/a/b/../..//evil.example',
    '/./%2e/..//evil.example',
    '/.%2e//evil.example',
  ])('refuses %j, whose resolved path is a network-path reference (//host)', (value) => {
    expect(toLocalPath(value, APP)).toBeUndefined();
  });

  it.each([
    ['/%2f/evil.example', '/%2f/evil.example'],
    ['/%252f%252fevil.example', '/%252f%252fevil.example'],
    ['/@evil.example', '/@evil.example'],
    ['/a/..%2f..%2fevil', '/a/..%2f..%2fevil'],
    ['/notes/./x/../', '/notes/'],
  ])('keeps %j as the local path %j (encoded slashes stay encoded: a browser does not decode them in a path)', (value, expected) => {
    expect(toLocalPath(value, APP)).toBe(expected);
  });

  /** The pieces open-redirect payloads are made of: dot segments, encoded dots and slashes, backslashes, control characters, schemes, `@`. */
  const PIECES = [
    '/',
    '//',
    '\\',
    '.',
    '..',
    '%2e',
    '%2E',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '%252f',
    '%252e',
    '%00',
    '@',
    ':',
    '\t',
    '\n',
    '\r',
    ' ',
    '?',
    '#',
    '%09',
    'http:',
    'https:',
    'javascript:',
    'evil.example',
    '[::1]:6660',
    'a',
    'notes',
  ];

  it('never returns a value that a browser would send elsewhere (property, 20,000 generated inputs)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }), fc.boolean(), (pieces, leadingSlash) => {
        const value = `${leadingSlash ? '/' : ''}${pieces.join('')}`;
        const result = toLocalPath(value, APP);
        if (result === undefined) return;
        expect(result.startsWith('/')).toBe(true);
        expect(result.startsWith('//')).toBe(false);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach a Location
        expect(result).not.toMatch(/[\\\u0000-\u001f\u007f]/);
        // The Location a browser receives resolves to the app's origin, and the rule is stable on its own output.
        expect(new URL(result, APP).origin).toBe(APP);
        expect(toLocalPath(result, APP)).toBe(result);
      }),
      { numRuns: 20_000, seed: 20261130 },
    );
  });
});
