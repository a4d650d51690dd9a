/**
 * `npm run bench`: the lab's performance, side by side in one run, printed as one table and
 * written into docs/performance.md with the machine it ran on.
 *
 *   npm run bench [-- --sessions=10000] [--session-ttl=<seconds>] [--no-redis]
 *
 * `--no-redis`: leaves out the memory of sessions kept in Redis (LAB_STORE=redis), which needs a
 * redis-server on PATH and takes two minutes more.
 *
 * On a shared machine absolute figures mean little: what counts are the ratios within one run
 * (the BFF path against the direct API call, measured minutes apart on the same machine).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { closeBrowsers, signInNewBrowser } from './bench/sign-in.ts';
import { BENCH_PORTS, REPO_ROOT, benchPorts, makeBenchEnv } from './bench/bench-env.ts';
import { measureColdStart } from './bench/cold-start.ts';
import { describeNotesRoutes, setDpop } from './bench/api-routes.ts';
import { compareRoutes, type Throughput } from './bench/throughput.ts';
import { measureLoginRates, measureSingleSignOnRate, type LoginRun } from './bench/login-rate.ts';
import { measureSessionMemory, type SessionMemory } from './bench/session-memory.ts';
import { describeMachine } from './bench/machine.ts';
import { formatMarkdown, formatTable, type BenchResults } from './bench/format-report.ts';
import { writeFiguresInto } from './bench/write-performance-doc.ts';

// Prerequisites: what to measure, and a lab on the bench's own ports (see bench-env.ts).
const { values: args } = parseArgs({
  options: { sessions: { type: 'string', default: '10000' }, 'session-ttl': { type: 'string' }, 'no-redis': { type: 'boolean', default: false } },
});
const sessions = Number(args.sessions);
/** Sign-ins at once while making the sessions of step 4 (beyond the CPUs' count, more only queue). */
const SIGN_IN_CONCURRENCY = 16;
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const machine = describeMachine();
const began = performance.now();
const progress = (step: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${step}`);
const env = makeBenchEnv();

// 1. Cold start: the whole lab, three times; the last one stays up for steps 2 and 3.
// The services' ports: a Redis starts only for the memory line in the production shape (step 5).
const servicePorts = Object.entries(benchPorts(BENCH_PORTS)).filter(([name]) => name !== 'REDIS_PORT');
progress(`cold start ×3 (ports ${servicePorts.map(([, port]) => port).join(', ')})`);
const { figure: coldStart, lab } = await measureColdStart(env, 3);

let routes: Throughput[];
let logins: LoginRun[];
let singleSignOn: LoginRun;
try {
  // 2. GET /notes three ways, as the issue measured with wrk: 10 keep-alive connections, 5 s each.
  progress('GET /notes: direct, through the BFF, through the app origin (10 connections, 5 s each)');
  // alice signs in with DPoP off (bearer tokens, which a load tool can send as they are), bob
  // with it on again (the default: the BFF signs a proof for each call).
  await setDpop(lab.topology, env.LAB_CONTROL_KEY!, 'off');
  const alice = await signInNewBrowser(lab.topology, 'alice');
  await setDpop(lab.topology, env.LAB_CONTROL_KEY!, 'on');
  const bob = await signInNewBrowser(lab.topology, 'bob');
  routes = await compareRoutes(lab, await describeNotesRoutes(lab.topology, alice, env.LAB_CONTROL_KEY!, bob), { connections: 10, durationSeconds: 5 });

  // 3. Headless logins, each a new browser going through both forms, at 1, 10 and 50 at once.
  progress('headless logins at 1, 10, 50 concurrent (5 s each)');
  logins = await measureLoginRates(lab, [1, 10, 50], 5_000);
  // How fast step 4 will make its sessions, which sets how long they must live (their TTL).
  singleSignOn = await measureSingleSignOnRate(lab, SIGN_IN_CONCURRENCY, 5_000);
} finally {
  await lab.stop();
}

// 4. The BFF's memory for many sessions, in a fresh lab whose sessions expire after the TTL: long
// enough for all of them to be made at step 3's pace (with a margin), at least the BFF's minimum
// of 60 s and at most 150 s, so the bench stays within minutes (on a slow machine it makes fewer
// sessions and says so). Then the wait for their expiry and the store's sweep.
const sessionTtl = args['session-ttl'] ? Number(args['session-ttl']) : Math.min(150, Math.max(60, Math.ceil((sessions / singleSignOn.perSecond) * 1.25) + 20));
progress(`BFF memory: up to ${sessions} sessions (TTL ${sessionTtl} s), then after they expire`);
const memory = await measureSessionMemory({ store: 'memory', sessions, ttlSeconds: sessionTtl, concurrency: SIGN_IN_CONCURRENCY });
// 5. The same in the production shape: the sessions and tokens in Redis, not in the BFF's memory.
let redisMemory: SessionMemory | undefined;
if (!args['no-redis']) {
  progress(`BFF memory with LAB_STORE=redis: up to ${sessions} sessions (TTL ${sessionTtl} s), then after they expire`);
  redisMemory = await measureSessionMemory({ store: 'redis', sessions, ttlSeconds: sessionTtl, concurrency: SIGN_IN_CONCURRENCY });
}
await closeBrowsers();

const results: BenchResults = {
  command,
  date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  machine,
  loadAfter: os.loadavg(),
  durationSeconds: (performance.now() - began) / 1000,
  coldStart,
  routes,
  logins,
  singleSignOn,
  memory,
  redisMemory,
};
console.log(formatTable(results));
const docPath = path.join(REPO_ROOT, 'docs', 'performance.md');
writeFiguresInto(docPath, formatMarkdown(results));
progress(`figures written into ${path.relative(REPO_ROOT, docPath)}`);

// A measurement that got refusals instead of answers measured nothing: fail, whatever the figures.
const failed =
  routes.some((route) => route.failures > route.answers * 0.01) ||
  logins.some((run) => run.done === 0) ||
  memory.signIns.done === 0 ||
  redisMemory?.signIns.done === 0;
process.exitCode = failed ? 1 : 0;
