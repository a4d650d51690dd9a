import type { TraceEvent } from '@lab/shared';
import type { Expectation } from '../engine/scenario.ts';
import { errorCodeOf } from '../library/attack-support.ts';

/**
 * The exchanges of a step that an expectation is about: those whose answer it names. An error code
 * in the expectation's actual value (`invalid_state`, a `{ status, error }`) picks the exchanges
 * that answered with it; failing that, a status picks the exchanges that answered with it, if the
 * status is a refusal or a redirect, or the expectation is the leak of a weakened run (the forged
 * write's `201`). Returns indices into `exchanges`; none when the expectation is about something
 * else (a count, a cookie, a page).
 */
export function exchangesProving(expectation: Expectation, exchanges: readonly TraceEvent[]): number[] {
  const { statuses, codes } = valuesIn(expectation.actual);
  const byCode = exchanges.flatMap((event, index) => {
    const code = codeOf(event);
    return code !== undefined && codes.has(code) ? [index] : [];
  });
  if (byCode.length > 0) return byCode;
  if (codes.size > 0) return [];
  return exchanges.flatMap((event, index) =>
    event.status !== undefined && statuses.has(event.status) && (event.status >= 300 || expectation.leak === true) ? [index] : [],
  );
}

function codeOf(event: TraceEvent): string | undefined {
  const location = event.responseHeaders.location;
  const fromLocation = location?.includes('error=') ? (new URL(location, 'http://placeholder').searchParams.get('error') ?? undefined) : undefined;
  return errorCodeOf(event.responseBody) ?? fromLocation ?? event.responseHeaders['www-authenticate']?.match(/error="([a-z_]+)"/)?.[1];
}

/** HTTP statuses and snake_case error codes anywhere in a value. */
function valuesIn(value: unknown, found = { statuses: new Set<number>(), codes: new Set<string>() }, depth = 0) {
  if (depth > 6) return found;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) found.statuses.add(value);
  else if (typeof value === 'string' && /^[a-z]+(_[a-z]+)+$/.test(value)) found.codes.add(value);
  else if (Array.isArray(value)) for (const item of value) valuesIn(item, found, depth + 1);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) valuesIn(item, found, depth + 1);
  return found;
}
