import type { LabTopology } from '@lab/shared';
import { HttpUserAgent } from '../http-sign-in.ts';
import type { HostileCase } from './hostile-case.ts';
import { judge, judgeSignIn, type Problem } from './judge.ts';
import { sendRaw, serialiseRequest } from './raw-http.ts';
import { HOSTILE_USER, type SignedInState } from './signed-in-state.ts';
import { signInToApp } from './sign-in-to-app.ts';

export interface CaseResult {
  readonly hostile: HostileCase;
  /** The status, or `hang` / `no answer` / `dropped (CONNECT)`. */
  readonly answer: string;
  readonly elapsedMs: number;
  /** Requests sent for the case (a sign-in takes several). */
  readonly requests: number;
  readonly problems: readonly Problem[];
}

export interface RunOptions {
  readonly topology: LabTopology;
  readonly state: SignedInState;
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** Cases between two checks of the signed-in state (a hostile logout ends the session). */
  readonly batchSize: number;
}

/** Sends the cases, `concurrency` at a time, renewing the signed-in state before each batch, and judges each answer. */
export async function runCases(cases: readonly HostileCase[], options: RunOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (let start = 0; start < cases.length; start += options.batchSize) {
    await options.state.renew();
    const batch = cases.slice(start, start + options.batchSize);
    let next = 0;
    const lane = async () => {
      while (next < batch.length) {
        const hostile = batch[next]!;
        next += 1;
        results.push(await runCase(hostile, options));
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, batch.length) }, lane));
  }
  return results;
}

async function runCase(hostile: HostileCase, options: RunOptions): Promise<CaseResult> {
  if (hostile.signInReturnTo !== undefined) return runSignIn(hostile, options);
  const location = options.topology[hostile.target];
  const request = options.state.fill(hostile.request);
  const bytes = serialiseRequest(request, new URL(location.url).host);
  const response = await sendRaw(location.host, location.port, bytes, { timeoutMs: options.timeoutMs, method: request.method });
  const problems = judge(hostile, response, options.topology, options.timeoutMs);
  const answer =
    response.outcome === 'timeout'
      ? 'hang'
      : response.outcome === 'dropped'
        ? request.method === 'CONNECT'
          ? 'dropped (CONNECT)'
          : 'no answer'
        : String(response.status);
  return { hostile, answer, elapsedMs: response.elapsedMs, requests: 1, problems };
}

/** A whole sign-in as bob with the case's `returnTo`, every request bounded by the timeout. */
async function runSignIn(hostile: HostileCase, options: RunOptions): Promise<CaseResult> {
  const agent = new HttpUserAgent(options.topology.spa.url, { timeoutMs: options.timeoutMs });
  const started = performance.now();
  try {
    const answer = await signInToApp(agent, HOSTILE_USER, { returnTo: hostile.signInReturnTo });
    const problems = judgeSignIn(answer, options.topology);
    return { hostile, answer: `${answer.step} ${answer.status}`, elapsedMs: Math.round(performance.now() - started), requests: agent.requests, problems };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const detail = error instanceof Error ? error.message : String(error);
    return {
      hostile,
      answer: timedOut ? 'hang' : 'sign-in failed',
      elapsedMs: Math.round(performance.now() - started),
      requests: agent.requests,
      problems: [{ kind: timedOut ? 'hang' : 'sign-in failed', detail }],
    };
  }
}
