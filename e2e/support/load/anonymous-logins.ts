import type { LabTopology } from '@lab/shared';
import { CookieJar } from '../cookie-jar.ts';
import { errorCodeOf } from './judge-answer.ts';
import type { CallOutcome, LoadClient } from './load-client.ts';
import { Counter } from './phase-tally.ts';
import { mapWithConcurrency } from './map-with-concurrency.ts';

/** What a burst of anonymous logins saw. */
export interface AnonymousReport {
  /** Logins asked for. */
  readonly logins: number;
  /** Logins started before the deadline: fewer than asked when the answers were too slow. */
  readonly fired: number;
  readonly startedAt: number;
  readonly durationMs: number;
  /** `"GET /bff/login 302"`, `"GET /auth 303"`, `"GET /interaction/:uid 200"` → count. */
  readonly statuses: Record<string, number>;
  /** Answers refusing the work with a bound (429 or 503): allowed, that is the point of a bound. */
  readonly refused: number;
  /** Any other 5xx, other status, or no answer. */
  readonly errors: number;
  readonly errorSamples: Record<string, number>;
}

/**
 * `count` visitors who click "Sign in" and walk away: each, with no cookie, asks the app for
 * `GET /bff/login`, follows the redirect to the authorization server's `/auth`, and opens the
 * login page it is sent to, then goes. Nothing is ever signed in; every step leaves state behind
 * (a BFF session with a pending login, an interaction at the authorization server), which is
 * what must stay bounded without touching anyone who is signed in.
 */
export async function fireAnonymousLogins(
  client: LoadClient,
  topology: LabTopology,
  count: number,
  concurrency: number,
  deadline: number,
): Promise<AnonymousReport> {
  const startedAt = Date.now();
  let fired = 0;
  const statuses = new Counter();
  const errors = new Counter();
  let refused = 0;

  /** Counts one step; returns where to go next when the step went as a browser's would. */
  const step = (label: string, outcome: CallOutcome, expected: readonly number[]): CallOutcome | undefined => {
    if (outcome.kind === 'network') {
      statuses.add(`${label} network`);
      errors.add(`${label} network ${outcome.error}`);
      return undefined;
    }
    statuses.add(`${label} ${outcome.status}`);
    if (expected.includes(outcome.status)) return outcome;
    if (outcome.status === 429 || outcome.status === 503) refused += 1;
    else errors.add(`${label} ${outcome.status} ${errorCodeOf(outcome.body)}`);
    return undefined;
  };

  await mapWithConcurrency(count, concurrency, async () => {
    if (Date.now() >= deadline) return;
    fired += 1;
    const jar = new CookieJar();
    const loginUrl = `${topology.spa.url}/bff/login`;
    const login = step('GET /bff/login', await client.send(loginUrl), [302, 303]);
    if (login?.kind !== 'answer' || !login.location) return;
    const authorizeUrl = new URL(login.location, loginUrl).toString();
    const authorize = await client.send(authorizeUrl);
    if (authorize.kind === 'answer') jar.remember(authorizeUrl, authorize.setCookies);
    const toPage = step('GET /auth', authorize, [302, 303]);
    if (toPage?.kind !== 'answer' || !toPage.location) return;
    const pageUrl = new URL(toPage.location, authorizeUrl).toString();
    step('GET /interaction/:uid', await client.send(pageUrl, { headers: { Cookie: jar.headerFor(pageUrl) } }), [200]);
  });

  return {
    logins: count,
    fired,
    startedAt,
    durationMs: Date.now() - startedAt,
    statuses: statuses.toObject(),
    refused,
    errors: errors.total,
    errorSamples: errors.toObject(),
  };
}
