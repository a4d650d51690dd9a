/**
 * Profiles the BFF (and the resource API behind it) under load with `node --cpu-prof`, and says
 * where their CPU goes.
 *
 *   node --import tsx scripts/profile-bff.ts [seconds] [route]
 *
 * The app's origin runs as the lab runs it; the authorization server, the BFF and the resource
 * API run from the same bundle by hand, with `--cpu-prof` (Node refuses it in `NODE_OPTIONS`),
 * twice: once under `GET /api/notes` (10 keep-alive connections with a session cookie, as
 * `npm run bench` measures it; `route` is `bff-dpop`, the default, or `bff` for bearer tokens;
 * the BFF and the API are summarised), once under headless logins (10 at once; the authorization
 * server and the BFF are summarised). Each profile is summarised (lab frames mapped
 * back to the TypeScript through the bundle's source map) and kept in .lab/profiles/ for Chrome
 * DevTools.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startLab } from '@lab/launcher';
import { DEMO_USERS, type ServiceName } from '@lab/shared';
import { buildServices } from '../launcher/src/build-services.ts';
import { PROFILE_PORTS, REPO_ROOT, benchPorts, makeBenchEnv } from './bench/bench-env.ts';
import { describeNotesRoutes, setDpop } from './bench/api-routes.ts';
import { runWorkers } from './bench/run-workers.ts';
import { closeBrowsers, signInNewBrowser } from './bench/sign-in.ts';
import { measureRoute } from './bench/throughput.ts';
import { waitUntilHealthy } from './bench/wait-healthy.ts';
import { formatSummary, summarizeCpuProfile } from './bench/summarize-cpu-profile.ts';

// Prerequisites: ports of its own, and where the profiles go.
const seconds = Number(process.argv[2] ?? 10);
const routeName = process.argv[3] ?? 'bff-dpop';
const env = makeBenchEnv(benchPorts(PROFILE_PORTS));
const profileDir = path.join(REPO_ROOT, '.lab', 'profiles');
const logDir = path.join(REPO_ROOT, '.lab', 'profile-logs');
const { entries } = await buildServices();
const lab = await startLab({ env, logDir, services: ['spa'] });

try {
  // 1. The BFF's proxy path: GET /api/notes with a session cookie and X-CSRF: 1.
  const notes = await profileServices('api-notes', ['authserver', 'bff', 'resource-api'], async () => {
    // As the bench: alice with bearer tokens (DPoP off), bob with DPoP (the default).
    await setDpop(lab.topology, env.LAB_CONTROL_KEY!, 'off');
    const alice = await signInNewBrowser(lab.topology, 'alice');
    await setDpop(lab.topology, env.LAB_CONTROL_KEY!, 'on');
    const bob = await signInNewBrowser(lab.topology, 'bob');
    const route = (await describeNotesRoutes(lab.topology, alice, env.LAB_CONTROL_KEY!, bob)).find((candidate) => candidate.name === routeName);
    if (!route) throw new Error(`no route ${routeName} (bff-dpop or bff)`);
    await measureRoute(lab, route, { connections: 10, durationSeconds: 2 });
    const figure = await measureRoute(lab, route, { connections: 10, durationSeconds: seconds });
    return `${routeName} ${figure.requestsPerSecond.toFixed(0)} req/s`;
  });
  console.log(notes);

  // 2. Headless logins, 10 at once: /bff/login, the forms at the authorization server, the callback.
  const logins = await profileServices('logins', ['authserver', 'bff', 'resource-api'], async () => {
    const signIn = (index: number) => signInNewBrowser(lab.topology, DEMO_USERS[index % DEMO_USERS.length]!.username);
    await runWorkers({ concurrency: 4, durationMs: 30_000, maxItems: 40 }, signIn);
    const run = await runWorkers({ concurrency: 10, durationMs: seconds * 1000 }, signIn);
    return `${run.perSecond.toFixed(1)} logins/s`;
  });
  console.log(logins);
} finally {
  await lab.stop();
  await closeBrowsers();
}

/**
 * Starts `services` with `--cpu-prof`, runs `load`, stops them (the profiles are written at exit),
 * and summarises each profile but the resource API's under logins (it serves none of them).
 */
async function profileServices(name: string, services: readonly ServiceName[], load: () => Promise<string>): Promise<string> {
  const started = services.map((service) => startProfiled(service, name));
  let figure: string;
  try {
    await Promise.all(services.map((service) => waitUntilHealthy(`${lab.topology[service].url}/healthz`)));
    figure = await load();
  } finally {
    for (const { child } of started) child.kill('SIGTERM');
    await Promise.all(started.map(({ exited }) => exited));
  }
  const summaries: string[] = [];
  for (const { service, dir } of started) {
    // Under the API calls the authorization server has nothing to do; under logins, the API.
    if (name === 'logins' ? service === 'resource-api' : service === 'authserver') continue;
    const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
    if (!file) throw new Error(`${service} wrote no profile into ${dir}`);
    summaries.push(
      formatSummary(
        `${service} under ${name} (${figure}), ${path.relative(REPO_ROOT, path.join(dir, file))}`,
        summarizeCpuProfile(path.join(dir, file), REPO_ROOT),
      ),
    );
  }
  return summaries.join('\n');
}

function startProfiled(service: ServiceName, name: string): { service: ServiceName; dir: string; child: ChildProcess; exited: Promise<void> } {
  const dir = path.join(profileDir, name, service);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--enable-source-maps', entries[service]], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(path.join(logDir, `${service}-${name}.log`));
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => log.end());
  return { service, dir, child, exited };
}
