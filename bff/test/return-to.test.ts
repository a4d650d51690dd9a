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
