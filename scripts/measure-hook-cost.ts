/**
 * What the lab's instruments cost the BFF's proxied call while nobody watches: two BFFs side by
 * side under the same load at the same time, the lab's own (bff/src/main.ts: the trace, the
 * X-ray, the `/_lab` routes, through its hook) and the same BFF without them
 * (scripts/bench/bff-without-lab.ts), both on the run's Redis, so that one sign-in is a session of
 * both. Loading both at once makes the machine's moment weigh on both alike, which one route after
 * the other on a shared machine does not.
 *
 *   node --import tsx scripts/measure-hook-cost.ts [rounds] [seconds]
 *
 * Bearer tokens (`LAB_WEAKEN=dpop`), as the bench's BFF line; autocannon, 10 keep-alive connections
 * to each; CPU from /proc/<pid>/stat. Prints each round and the medians. Needs redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { startLab } from '@lab/launcher';
import { BENCH_LOG_DIR, HOOK_COST_PORTS, REPO_ROOT, benchPorts, makeBenchEnv } from './bench/bench-env.ts';
import { median } from './bench/cold-start.ts';
import { readCpuMs } from './bench/cpu-time.ts';
import { closeBrowsers, signInNewBrowser } from './bench/sign-in.ts';
import { waitUntilHealthy } from './bench/wait-healthy.ts';

const rounds = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 3);
// Ports of its own (bench-env.ts); the environment wins.
const ports = benchPorts(HOOK_COST_PORTS);
const WITHOUT_LAB_PORT = Number(ports.BFF_PORT) + 6;
const env = makeBenchEnv({ ...ports, LAB_STORE: 'redis', LAB_WEAKEN: 'dpop' });
const lab = await startLab({ env, logDir: BENCH_LOG_DIR, services: ['authserver', 'resource-api', 'spa'] });
const children: ChildProcess[] = [];

try {
  const bffEnv = { ...env, LAB_REDIS_URL: `redis://127.0.0.1:${ports.REDIS_PORT}` };
  const withLab = await startBff('bff/src/main.ts', bffEnv);
  const withoutLab = await startBff('scripts/bench/bff-without-lab.ts', { ...bffEnv, BFF_PORT: String(WITHOUT_LAB_PORT) });
  // Alice signs in through the app's origin (the lab's BFF); her session is in Redis, a session of both.
  const alice = await signInNewBrowser(lab.topology, 'alice');
  const headers = { Cookie: alice.appCookie(), 'X-CSRF': '1', Accept: 'application/json' };
  const targets = [
    { name: 'with the lab', url: `${lab.topology.bff.url}/api/notes`, pid: withLab.pid! },
    { name: 'without it', url: `http://localhost:${WITHOUT_LAB_PORT}/api/notes`, pid: withoutLab.pid! },
  ];
  for (const target of targets) {
    const response = await fetch(target.url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${target.name}: GET /api/notes answered ${response.status} before the load`);
  }
  await Promise.all(targets.map((target) => load(target.url, headers, 1)));

  const perRound: Array<{ cpuMs: number[] }> = [];
  for (let round = 0; round < rounds; round++) {
    const before = targets.map((target) => readCpuMs(target.pid) ?? Number.NaN);
    const answers = await Promise.all(targets.map((target) => load(target.url, headers, seconds)));
    const after = targets.map((target) => readCpuMs(target.pid) ?? Number.NaN);
    const cpuMs = targets.map((_, index) => (after[index]! - before[index]!) / answers[index]!);
    perRound.push({ cpuMs });
    console.log(
      `round ${round + 1}: ${targets.map((target, index) => `${target.name} ${(cpuMs[index]! * 1000).toFixed(0)} µs of CPU per call, ${(answers[index]! / seconds).toFixed(0)}/s`).join('; ')}; without/with ${(cpuMs[1]! / cpuMs[0]!).toFixed(3)}`,
    );
  }
  const ratio = median(perRound.map((round) => round.cpuMs[1]! / round.cpuMs[0]!));
  console.log(
    `median of ${rounds} rounds: with the lab ${(median(perRound.map((round) => round.cpuMs[0]!)) * 1000).toFixed(0)} µs, without it ${(median(perRound.map((round) => round.cpuMs[1]!)) * 1000).toFixed(0)} µs of the BFF's CPU per call; ` +
      `without/with ${ratio.toFixed(3)}: the lab's instruments are ${((1 - ratio) * 100).toFixed(1)} % of the lab's BFF's CPU per proxied call`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await closeBrowsers();
  await lab.stop();
}

/** One of the two BFFs, through tsx both (the same loader for both), answering /healthz. */
async function startBff(entry: string, childEnv: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`))));
  await Promise.race([waitUntilHealthy(`http://127.0.0.1:${childEnv.BFF_PORT}/healthz`), exited]);
  return child;
}

/** autocannon on one URL: 10 keep-alive connections for `duration` seconds; the 2xx answers. */
function load(url: string, headers: Record<string, string>, duration: number): Promise<number> {
  return new Promise((resolve, reject) =>
    autocannon({ url, headers, connections: 10, pipelining: 1, duration, timeout: 10 }, (error: unknown, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} answers not 2xx, ${result.errors} errors`));
      resolve(result['2xx']);
    }),
  );
}
