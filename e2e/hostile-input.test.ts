import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findUnhealthyServices } from './support/hostile/check-health.ts';
import { CATEGORIES } from './support/hostile/hostile-case.ts';
import { generateCases } from './support/hostile/generate-cases.ts';
import { HttpUserAgent } from './support/http-sign-in.ts';
import { signInToApp } from './support/hostile/sign-in-to-app.ts';
import { runCases } from './support/hostile/run-cases.ts';
import { ServiceLogs, countLogLines, findStackTraces } from './support/hostile/service-logs.ts';
import { HOSTILE_USER, SignedInState } from './support/hostile/signed-in-state.ts';
import { HostileTally, formatFailures } from './support/hostile/tally.ts';
import { TEST_LOG_DIR_NAME } from './support/test-ports.ts';

/**
 * Hostile input against the running lab (issue 8, "What must hold"): requests drawn by fast-check
 * from a seed, aimed at the BFF, the app's origin (Vite and its proxy), the resource API and the
 * authorization server. For every one: an answer within the time limit, below 500, a JSON
 * `{ error, message }` for the BFF's and the API's client errors; no stack trace in any log;
 * every service healthy afterwards. `npm test` runs a bounded share; `npm run test:hostile` the
 * full run (`LAB_HOSTILE_RUNS`). A failure names its seed: the same seed sends the same requests.
 */
const topology = inject('topology');
const controlKey = inject('controlKey');

const RUNS = readPositive('LAB_HOSTILE_RUNS', 1_500);
const SEED = readPositive('LAB_HOSTILE_SEED', 20_251_130);
const TIMEOUT_MS = readPositive('LAB_HOSTILE_TIMEOUT_MS', 5_000);
const CONCURRENCY = readPositive('LAB_HOSTILE_CONCURRENCY', 8);
/** `LAB_HOSTILE_ONLY=json,websocket`: only these categories (to work on one defect); all by default. */
const ONLY = new Set(
  (process.env.LAB_HOSTILE_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);
const LOG_DIR = path.resolve(import.meta.dirname, '..', '.lab', TEST_LOG_DIR_NAME);
const REPORT = path.resolve(import.meta.dirname, '..', 'test-results', 'hostile-input.json');

const cases = generateCases({ runs: RUNS, seed: SEED, topology });
const state = new SignedInState(topology, controlKey, TIMEOUT_MS);
const logs = new ServiceLogs(LOG_DIR);
const tally = new HostileTally();
const logLines = new Map<string, number>();
const failedCategories: string[] = [];
const started = Date.now();

describe(`hostile input: ${RUNS} requests from seed ${SEED}`, () => {
  beforeAll(async () => {
    await state.renew();
  });

  afterAll(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(
      [
        `Hostile input, seed ${SEED}, LAB_HOSTILE_RUNS=${RUNS}, ${seconds} s, timeout ${TIMEOUT_MS} ms, ${CONCURRENCY} at a time:`,
        tally.format(),
        `Signed in ${state.signIns}× as ${HOSTILE_USER} to keep a session${state.signInFailures.length ? `; ${state.signInFailures.length} sign-ins failed` : ''}; log lines written: ${[...logLines].map(([service, count]) => `${service} ${count}`).join(', ') || 'none'}`,
      ].join('\n'),
    );
    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(
      REPORT,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          seed: SEED,
          runs: RUNS,
          timeoutMs: TIMEOUT_MS,
          concurrency: CONCURRENCY,
          seconds,
          cases: tally.cases,
          requests: tally.requests,
          slowestMs: tally.slowestMs,
          answersByTarget: tally.byTarget(),
          failures: tally.problems(),
          failedCategories,
          signIns: state.signIns,
          signInFailures: state.signInFailures,
          logLines: Object.fromEntries(logLines),
        },
        null,
        2,
      )}\n`,
    );
  });

  for (const { category, title } of CATEGORIES) {
    const own = cases.get(category) ?? [];
    // Bounded even if every request hung: each waits at most TIMEOUT_MS, CONCURRENCY at a time.
    const limit = Math.ceil(own.length / CONCURRENCY) * TIMEOUT_MS * 2 + 60_000;
    it.skipIf(ONLY.size > 0 && !ONLY.has(category))(
      `${title} (${own.length}): no 5xx, no hang, JSON errors, no stack trace in the logs`,
      async () => {
        const downBefore = await findUnhealthyServices(topology, TIMEOUT_MS);
        const mark = await logs.mark();
        const results = await runCases(own, { topology, state, timeoutMs: TIMEOUT_MS, concurrency: CONCURRENCY, batchSize: 100 });
        const excerpts = await logs.since(mark);
        const traces = findStackTraces(excerpts);
        tally.add(results);
        tally.addStackTraces(traces);
        for (const [service, count] of countLogLines(excerpts)) logLines.set(service, (logLines.get(service) ?? 0) + count);
        // A service that stopped answering is the finding that matters most: said first, with its last words.
        const outages: string[] = [];
        for (const service of await findUnhealthyServices(topology, TIMEOUT_MS)) {
          outages.push(
            downBefore.includes(service)
              ? `${service} was already down when this category started (see the first category that failed).`
              : `${service} stopped answering /healthz during this category. The end of its log:\n${indent(await logs.tail(service))}`,
          );
        }
        const failures = [...outages, formatFailures(results, traces, topology)].filter(Boolean).join('\n');
        if (failures) {
          failedCategories.push(category);
          expect.fail(`${category} (seed ${SEED}):\n${failures}`);
        }
      },
      limit,
    );
  }

  it('leaves every service healthy: each /healthz answers 200, and a user signs in and reads notes', async () => {
    expect(await findUnhealthyServices(topology, TIMEOUT_MS), 'services whose /healthz does not answer 200').toEqual([]);
    const agent = new HttpUserAgent(topology.spa.url, { timeoutMs: TIMEOUT_MS });
    const signIn = await signInToApp(agent, HOSTILE_USER, { returnTo: '/' });
    expect({ step: signIn.step, status: signIn.status, location: signIn.location }).toEqual({ step: 'callback', status: 302, location: '/' });
    const user = await agent.request(`${topology.spa.url}/bff/user`, { headers: { 'X-CSRF': '1' } });
    expect(user.status).toBe(200);
    expect(((await user.json()) as { claims: { sub: string } }).claims.sub).toBe(HOSTILE_USER);
    const notes = await agent.request(`${topology.spa.url}/api/notes`, { headers: { 'X-CSRF': '1' } });
    expect(notes.status).toBe(200);
    expect(((await notes.json()) as { owner: string }).owner).toBe(HOSTILE_USER);
  });

  it.skipIf(ONLY.size > 0)(`sent at least ${RUNS} hostile requests`, () => {
    expect(tally.requests).toBeGreaterThanOrEqual(RUNS);
  });
});

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');
}

function readPositive(name: string, fallback: number): number {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
