import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { TargetName } from '../hostile-case.ts';
import { routesOf, type Route } from '../surfaces.ts';
import { wellFormedRequest, type RequestParts } from '../request-parts.ts';

/** A target, one of its routes, and the well-formed request to it (signed in or not). */
export interface Aim {
  readonly target: TargetName;
  readonly route: Route;
  readonly signedIn: boolean;
  readonly parts: RequestParts;
}

/**
 * Where to aim: each target about equally (the app's origin a little more, as it is what the
 * browser talks to), any route of it, signed in six times in ten.
 */
export function aim(
  topology: LabTopology,
  options: { targets?: readonly TargetName[]; routes?: (route: Route, target: TargetName) => boolean } = {},
): fc.Arbitrary<Aim> {
  const targets = options.targets ?? (['spa', 'spa', 'bff', 'resource-api', 'authserver'] as const);
  return fc
    .constantFrom(...targets)
    .chain((target) => {
      const routes = routesOf(target).filter((route) => options.routes?.(route, target) ?? true);
      return fc.tuple(fc.constant(target), fc.constantFrom(...routes), fc.nat(9));
    })
    .map(([target, route, dice]) => {
      const signedIn = dice < 6;
      return { target, route, signedIn, parts: wellFormedRequest(route, signedIn, topology) };
    });
}

/**
 * Percent-encodings no decoder accepts: a lone `%`, non-hex digits, a truncated escape, bytes that
 * are not UTF-8 (`%ff`, overlong `%c0%af`, a lone surrogate `%ed%a0%80`, a cut sequence `%E0%A4%A`).
 */
export const MALFORMED_PERCENT = [
  '%',
  '%%',
  '%zz',
  '%g1',
  '%1',
  '%2',
  '%-1',
  '%+1',
  '%u0041',
  '%%30%30',
  '%%%',
  'a%',
  '%a',
  '%E0%A4%A',
  '%ff',
  '%FE%FF',
  '%c0%af',
  '%c0%ae',
  '%ed%a0%80',
  '%f0%9f',
  '%e2%82',
  '%80',
  '%C3%28',
  '%00',
  '%f8%88%80%80%80',
] as const;

export const malformedPercent: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...MALFORMED_PERCENT) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...MALFORMED_PERCENT), fc.stringMatching(/^[A-Za-z0-9._~-]{0,6}$/), fc.constantFrom(...MALFORMED_PERCENT))
      .map(([first, between, last]) => `${first}${between}${last}`),
  },
  {
    // Escapes of random bytes: single hex digits (malformed) and byte runs that are not UTF-8.
    weight: 1,
    arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }).map((bytes) => bytes.map((byte) => `%${byte.toString(16)}`).join('')),
  },
);

/** Inserts `text` into one segment of `path` (before, after, instead of it, or as a new one). */
export function insertIntoPath(path: string, text: string, position: number, mode: 'append' | 'prepend' | 'replace' | 'new'): string {
  const segments = path.split('/');
  const index = 1 + (position % Math.max(1, segments.length - 1));
  const segment = segments[index] ?? '';
  // `{{uid}}` stays whole, so that the live interaction is still the one addressed.
  const keep = segment === '{{uid}}' && mode === 'replace' ? 'append' : mode;
  if (keep === 'append') segments[index] = `${segment}${text}`;
  else if (keep === 'prepend') segments[index] = `${text}${segment}`;
  else if (keep === 'replace') segments[index] = text;
  else segments.splice(index + 1, 0, text);
  return segments.join('/');
}

/** `base64url` of a JSON value, for hand-made JWTs. */
export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
