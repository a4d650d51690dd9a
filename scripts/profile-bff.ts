/**
 * Profiles the BFF under load with `node --cpu-prof`, and says where its CPU goes.
 *
 *   node --import tsx scripts/profile-bff.ts [seconds]
 *
 * The authorization server, the resource API and the app's origin run as the lab runs them; the
 * BFF runs from the same bundle by hand, with `--cpu-prof`, twice: once under `GET /api/notes`
 * (10 keep-alive connections with a session cookie, as `npm run bench` measures it), once under
 * headless logins (10 at once). Each profile is summarised (lab frames mapped back to the
 * TypeScript through the bundle's source map) and kept in .lab/profiles/ for Chrome DevTools.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLab } from '@lab/launcher';
import { DEMO_USERS } from '@lab/shared';
import { buildServices } from '../launcher/src/build-services.ts';
import { PROFILE_PORTS, REPO_ROOT, makeBenchEnv } from './bench/bench-env.ts';
import { describeNotesRoutes, setDpop } from './bench/api-routes.ts';
import { runWorkers } from './bench/run-workers.ts';
import { closeBrowsers, signInNewBrowser } from './bench/sign-in.ts';
import { measureRoute } from './bench/throughput.ts';
import { formatSummary, summarizeCpuProfile } from './bench/summarize-cpu-profile.ts';

// Prerequisites: ports of its own, and where the profiles go.
const seconds = Number(process.argv[2] ?? 10);
const env = makeBenchEnv(PROFILE_PORTS);
const profileDir = path.join(REPO_ROOT, '.lab', 'profiles');
const logDir = path.join(REPO_ROOT, '.lab', 'profile-logs');
const { entries } = await buildServices();
const lab = await startLab({ env, logDir, services: ['authserver', 'resource-api', 'spa'] });

try {
  // 1. The BFF's proxy path: GET /api/notes with a session cookie and X-CSRF: 1.
  const notes = await profileBff('api-notes', async () => {
    // As the bench: alice with bearer tokens (DPoP off), bob with DPoP (the default); bob's path is profiled.
    await setDpop(lab.topology, env.LAB_CONTROL_KEY!, 'off');
    const alice = await signInNewBrowser(lab.topology, 'alice');
    await setDpop(lab.topology, env.LAB_CONTROL_KEY!, 'on');
    const bob = await signInNewBrowser(lab.topology, 'bob');
    const route = (await describeNotesRoutes(lab.topology, alice, env.LAB_CONTROL_KEY!, bob)).find((candidate) => candidate.name === 'bff-dpop')!;
    await measureRoute(lab, route, { connections: 10, durationSeconds: 2 });
    const figure = await measureRoute(lab, route, { connections: 10, durationSeconds: seconds });
    return `${figure.requestsPerSecond.toFixed(0)} req/s`;
  });
  console.log(notes);

  // 2. Headless logins, 10 at once: /bff/login, the forms at the authorization server, the callback.
  const logins = await profileBff('logins', async () => {
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

/** Starts the BFF with `--cpu-prof`, runs `load`, stops the BFF (the profile is written at exit), and summarises it. */
async function profileBff(name: string, load: () => Promise<string>): Promise<string> {
  const dir = path.join(profileDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bff = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--enable-source-maps', entries.bff], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(path.join(logDir, `bff-${name}.log`));
  bff.stdout.pipe(log);
  bff.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => bff.once('exit', () => resolve()));
  let figure: string;
  try {
    await waitUntilHealthy(`${lab.topology.bff.url}/healthz`);
    figure = await load();
  } finally {
    bff.kill('SIGTERM');
    await exited;
  }
  const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the BFF wrote no profile into ${dir}`);
  return formatSummary(
    `BFF under ${name} (${figure}), ${path.relative(REPO_ROOT, path.join(dir, file))}`,
    summarizeCpuProfile(path.join(dir, file), REPO_ROOT),
  );
}

async function waitUntilHealthy(url: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
  }
  throw new Error(`the BFF did not answer ${url} within 30 s`);
}
