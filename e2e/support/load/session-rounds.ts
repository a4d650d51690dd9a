import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpUserAgent } from '../http-sign-in.ts';
import { judgeAnswer, type SessionCall, type Verdict } from './judge-answer.ts';
import type { LoadClient } from './load-client.ts';
import type { PhaseTally } from './phase-tally.ts';

/** One signed-in browser session of the load: who it is, and the agent holding its cookie. */
export interface LoadSession {
  /** Its place in the phase, 0…n-1: the key of its figures in the tally. */
  readonly index: number;
  /** The `sub` of the user it signed in as: every note and claim it gets must carry it. */
  readonly sub: string;
  readonly agent: HttpUserAgent;
}

/** A round's calls: a read, a write (see below), who am I, another read (then again, past four). */
const LANES: readonly SessionCall[] = ['GET /api/notes', 'POST /api/notes', 'GET /bff/user', 'GET /api/notes'];

/**
 * The write lane writes in the second round and every sixth after it, and reads otherwise. Every
 * read returns the user's whole list, and the lab has three users for hundreds of sessions: a
 * write in every round would grow the lists by thousands a minute, and the test would measure
 * the size of the list, not the BFF.
 */
const WRITE_EVERY = 6;

export interface RoundOptions {
  readonly parallelCalls: number;
  /** The least time between the starts of two rounds. */
  readonly intervalMs: number;
  /** Whether this session goes on with another round; asked before each. */
  readonly keepGoing: (session: LoadSession) => boolean;
  /** Part of every note's text, so that each note names the run, the session and the round. */
  readonly runId: string;
}

/**
 * The session's life during a phase: rounds of `parallelCalls` calls sent at once, as an app
 * with several components loading together does, until the phase ends or the session is lost
 * (after a 401 the app would send the user to sign in; the test does not, it counts).
 */
export async function runRounds(client: LoadClient, session: LoadSession, tally: PhaseTally, options: RoundOptions): Promise<void> {
  // Sessions start spread over one interval, so the load is steady rather than in waves.
  await sleep(Math.random() * options.intervalMs);
  for (let round = 0; options.keepGoing(session) && !tally.isLost(session.index); round += 1) {
    const started = Date.now();
    const calls = Array.from({ length: options.parallelCalls }, (_, lane) => {
      // Turned by one each round: with fewer than four lanes, every kind of call still comes round.
      const call = LANES[(lane + round) % LANES.length] as SessionCall;
      return call === 'POST /api/notes' && round % WRITE_EVERY !== 1 ? 'GET /api/notes' : call;
    });
    await Promise.all(calls.map((call, lane) => callAsSession(client, session, call, tally, `${options.runId} s${session.index} r${round} l${lane}`)));
    const rest = options.intervalMs - (Date.now() - started);
    if (rest > 0) await sleep(rest);
  }
}

/**
 * After the phase: one more API call (which refreshes the token if it is due, so a grant lost
 * during the phase shows here) and `GET /bff/user`, which must still say who is signed in.
 */
export async function checkSessionAtEnd(client: LoadClient, session: LoadSession, tally: PhaseTally): Promise<void> {
  if (tally.isLost(session.index)) return;
  await callAsSession(client, session, 'GET /api/notes', tally, `end s${session.index}`);
  if (tally.isLost(session.index)) return;
  await callAsSession(client, session, 'GET /bff/user', tally, `end s${session.index}`);
}

/** One call as the SPA makes it (session cookie, `X-CSRF: 1`, JSON), judged and counted. */
export async function callAsSession(client: LoadClient, session: LoadSession, call: SessionCall, tally: PhaseTally, tag: string): Promise<Verdict> {
  const [method, path] = call.split(' ') as ['GET' | 'POST', string];
  const url = new URL(path, session.agent.appOrigin).toString();
  const text = method === 'POST' ? `load ${tag}` : undefined;
  const outcome = await client.send(url, {
    method,
    headers: {
      Cookie: session.agent.appCookie(),
      'X-CSRF': '1',
      Accept: 'application/json',
      ...(text !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: text !== undefined ? JSON.stringify({ text }) : undefined,
  });
  if (outcome.kind === 'answer') session.agent.jar.remember(url, outcome.setCookies);
  const verdict = judgeAnswer(call, session.sub, outcome, text);
  tally.record(session.index, call, outcome.kind === 'answer' ? String(outcome.status) : `network ${outcome.error}`, verdict);
  return verdict;
}
