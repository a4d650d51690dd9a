import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AccessTokenLifetime } from './support/load/authserver-settings.ts';
import { formatMarkdownTable, formatPhaseSummary } from './support/load/format-report.ts';
import { LoadClient } from './support/load/load-client.ts';
import { anonymousLoginsPerPhase, refreshesWanted, selectLoadProfile } from './support/load/load-profile.ts';
import { runLoadPhase, type PhaseReport } from './support/load/run-load-phase.ts';

/**
 * Many users at once, each app making several calls at once, with access tokens that expire
 * while they do: what a BFF must survive (issue "Hardening", defects 2, 3 and 9). The bounded
 * profile runs in `npm test`; `npm run test:load` (LAB_LOAD_FULL=1) runs 200 sessions × 4 at
 * lifetimes of 1, 2, 5 and 300 s with 2,500 anonymous logins in between (a burst in each phase);
 * its figures go in docs/reliability.md.
 */
const topology = inject('topology');
const controlKey = inject('controlKey');
const profile = selectLoadProfile(process.env);
const lifetime = new AccessTokenLifetime(topology, controlKey);
const client = new LoadClient();
const reports: PhaseReport[] = [];
// The Redis set-up's run (e2e-redis project) keeps its figures apart: `concurrency-bounded-redis-2.json`.
const shape = inject('labShape') as string | undefined;
const REPORT_FILE = path.resolve(import.meta.dirname, '..', 'test-results', `concurrency-${profile.name}${shape ? `-${shape}` : ''}.json`);

let lifetimeBefore: number | undefined;
beforeAll(async () => {
  lifetimeBefore = await lifetime.read();
});
afterAll(async () => {
  // The lab is shared with the other end-to-end tests: leave the lifetime as it was.
  if (lifetimeBefore !== undefined) await lifetime.set(lifetimeBefore);
  await client.close();
  if (reports.length === 0) return;
  await mkdir(path.dirname(REPORT_FILE), { recursive: true });
  await writeFile(REPORT_FILE, `${JSON.stringify({ profile, finishedAt: new Date().toISOString(), reports }, null, 2)}\n`);
  console.log(`${formatMarkdownTable(profile, reports)}\n(figures in ${path.relative(process.cwd(), REPORT_FILE)})`);
});

describe(`signed-in sessions under parallel calls, token refreshes and anonymous logins (${profile.name}: ${profile.sessions} sessions × ${profile.parallelCalls})`, () => {
  it.each(profile.accessTokenTtls)(
    'with %i s access tokens: no session lost, no answer of another user, no error, nobody hit by the anonymous logins',
    { timeout: profile.phaseTimeoutMs },
    async (ttlSeconds) => {
      const report = await runLoadPhase({ topology, lifetime, client, profile }, ttlSeconds);
      reports.push(report);
      console.log(formatPhaseSummary(report));

      expect({
        signInFailures: report.signInFailures,
        lostSessions: report.lostSessions,
        crossUserAnswers: report.crossUserAnswers,
        errors: report.errors,
        unexpected: report.unexpected,
        hitAfterBurst: report.hitAfterBurst,
        anonymousErrors: report.anonymous.errors,
        anonymousFired: report.anonymous.fired,
      }).toEqual({
        signInFailures: 0,
        lostSessions: 0,
        crossUserAnswers: 0,
        errors: 0,
        unexpected: 0,
        hitAfterBurst: 0,
        anonymousErrors: 0,
        anonymousFired: anonymousLoginsPerPhase(profile),
      });
      // The test proves something only if tokens did expire and were refreshed, several times, in every session.
      expect(report.refreshes.least, 'refreshes seen in the session that refreshed least').toBeGreaterThanOrEqual(refreshesWanted(ttlSeconds));
    },
  );
});
