import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_USERS, type LabTopology } from '@lab/shared';
import { signInOverHttp } from '../http-sign-in.ts';
import { fireAnonymousLogins, type AnonymousReport } from './anonymous-logins.ts';
import type { AccessTokenLifetime } from './authserver-settings.ts';
import type { LoadClient } from './load-client.ts';
import { afterBurstMs, anonymousLoginsPerPhase, phaseDurationMs, refreshesWanted, roundIntervalMs, type LoadProfile } from './load-profile.ts';
import { mapWithConcurrency } from './map-with-concurrency.ts';
import { PhaseTally } from './phase-tally.ts';
import { checkSessionAtEnd, runRounds, type LoadSession } from './session-rounds.ts';

/** The figures of one phase: one access-token lifetime, its sessions, and the burst in the middle. */
export interface PhaseReport {
  readonly ttlSeconds: number;
  readonly sessions: number;
  readonly parallelCalls: number;
  readonly signInFailures: number;
  readonly signInMs: number;
  /** From the first round to the last call of the end check. */
  readonly callsMs: number;
  readonly calls: number;
  readonly statuses: Record<string, number>;
  readonly lostSessions: number;
  readonly crossUserAnswers: number;
  readonly errors: number;
  readonly unexpected: number;
  /** Sessions that had no problem until the anonymous burst began, and one after. */
  readonly hitAfterBurst: number;
  /** Refreshes seen through `/bff/user` per session that was not lost: total, least, median. */
  readonly refreshes: { readonly total: number; readonly least: number; readonly median: number };
  /** Each kind of problem with its status and error code → count. */
  readonly problems: Record<string, number>;
  readonly anonymous: AnonymousReport;
}

export interface PhaseSetup {
  readonly topology: LabTopology;
  readonly lifetime: AccessTokenLifetime;
  readonly client: LoadClient;
  readonly profile: LoadProfile;
}

/**
 * One phase of the load, at one access-token lifetime:
 * 1. the authorization server issues tokens of `ttlSeconds` from now on;
 * 2. `profile.sessions` users sign in over HTTP (alice, bob and mallory in turn);
 * 3. each session makes rounds of parallel calls for the phase's duration, tokens expiring and
 *    being refreshed all along (and goes on until it has been seen to refresh several times);
 * 4. a third of the way in, the phase's share of the anonymous logins is fired, and calls go on until every session's
 *    token has had to be refreshed again after them;
 * 5. each session makes one more API call and asks `/bff/user` who is signed in; then signs out.
 */
export async function runLoadPhase({ topology, lifetime, client, profile }: PhaseSetup, ttlSeconds: number): Promise<PhaseReport> {
  const tally = new PhaseTally();
  await lifetime.set(ttlSeconds);

  const signInStarted = Date.now();
  let signInFailures = 0;
  const signedIn = await mapWithConcurrency(profile.sessions, profile.signInConcurrency, async (index): Promise<LoadSession | undefined> => {
    const user = DEMO_USERS[index % DEMO_USERS.length]!;
    try {
      const { agent } = await signInOverHttp(topology, user.username, { password: user.password });
      return { index, sub: user.sub, agent };
    } catch (error) {
      signInFailures += 1;
      tally.problems.add(`sign-in failed: ${error instanceof Error ? error.message.slice(0, 120) : 'unknown'}`);
      return undefined;
    }
  });
  const sessions = signedIn.filter((session): session is LoadSession => session !== undefined);
  const signInMs = Date.now() - signInStarted;

  const started = Date.now();
  const hardStop = started + profile.maxCallsMs;
  let callsUntil = started + phaseDurationMs(profile, ttlSeconds);
  let bursting = true;
  const rounds = Promise.all(
    sessions.map((session) =>
      runRounds(client, session, tally, {
        parallelCalls: profile.parallelCalls,
        intervalMs: roundIntervalMs(profile, ttlSeconds),
        // Until the phase's time is up and the burst is over, and the session has refreshed enough.
        keepGoing: ({ index }) => Date.now() < hardStop && (bursting || Date.now() < callsUntil || tally.refreshesOf(index) < refreshesWanted(ttlSeconds)),
        runId: `ttl${ttlSeconds}-${started.toString(36)}`,
      }),
    ),
  );

  await sleep(phaseDurationMs(profile, ttlSeconds) / 3);
  const anonymous = await fireAnonymousLogins(client, topology, anonymousLoginsPerPhase(profile), profile.anonymousConcurrency, hardStop);
  callsUntil = Math.max(callsUntil, Date.now() + afterBurstMs(profile, ttlSeconds));
  bursting = false;
  await rounds;
  await Promise.all(sessions.map((session) => checkSessionAtEnd(client, session, tally)));
  const callsMs = Date.now() - started;

  // Leave the lab as it was found: every session of the phase signs out (not counted).
  await mapWithConcurrency(sessions.length, 32, (index) => signOut(client, sessions[index]!));

  const refreshesBySession = tally.refreshesBySession(profile.sessions);
  const refreshes = sessions.filter((session) => !tally.isLost(session.index)).map((session) => refreshesBySession[session.index]!);
  return {
    ttlSeconds,
    sessions: profile.sessions,
    parallelCalls: profile.parallelCalls,
    signInFailures,
    signInMs,
    callsMs,
    calls: tally.calls,
    statuses: tally.statuses.toObject(),
    lostSessions: tally.lostSessions,
    crossUserAnswers: tally.crossUserAnswers,
    errors: tally.errors,
    unexpected: tally.unexpected,
    hitAfterBurst: tally.sessionsFirstHitSince(anonymous.startedAt),
    refreshes: summariseCounts(refreshes),
    problems: tally.problems.toObject(),
    anonymous,
  };
}

async function signOut(client: LoadClient, session: LoadSession): Promise<void> {
  await client.send(new URL('/bff/logout', session.agent.appOrigin).toString(), {
    method: 'POST',
    headers: { Cookie: session.agent.appCookie(), 'X-CSRF': '1', Accept: 'application/json' },
  });
}

function summariseCounts(counts: number[]): { total: number; least: number; median: number } {
  if (counts.length === 0) return { total: 0, least: 0, median: 0 };
  const sorted = [...counts].sort((a, b) => a - b);
  return {
    total: sorted.reduce((sum, count) => sum + count, 0),
    least: sorted[0]!,
    median: sorted[Math.floor(sorted.length / 2)]!,
  };
}
