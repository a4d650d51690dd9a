/**
 * The BFF path against the direct call, measured from outside with wrk, as the issue first measured
 * it: a lab as `LAB_WEAKEN=dpop npm start` runs it (bearer tokens: wrk cannot sign a DPoP proof per
 * request), on the bench's ports; alice signed in over HTTP; then `wrk -t2 -c10 -d5s --latency` on
 * `GET /notes` three ways (the resource API with her access token, the BFF with her session cookie
 * and `X-CSRF: 1`, the app's origin likewise), one after the other, for each round.
 *
 *   node --import tsx scripts/measure-with-wrk.ts [rounds]
 *
 * Needs `wrk` on the PATH (Debian: `apt-get install wrk`). Her cookie and token go to wrk in its
 * arguments and are never printed.
 */
import { execFileSync } from 'node:child_process';
import { startLab } from '@lab/launcher';
import { signInOverHttp } from '../e2e/support/http-sign-in.ts';
import { describeNotesRoutes } from './bench/api-routes.ts';
import { BENCH_LOG_DIR, makeBenchEnv } from './bench/bench-env.ts';
import { median } from './bench/cold-start.ts';

// Prerequisites: wrk, and how many rounds.
const rounds = Number(process.argv[2] ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node --import tsx scripts/measure-with-wrk.ts [rounds]   (rounds: a whole number, 1 or more)');
  process.exit(2);
}
try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (error) {
  // wrk prints its version and exits 1; only a missing binary is a failure.
  if ((error as { code?: string }).code === 'ENOENT') {
    console.error('wrk is not installed (Debian: apt-get install wrk)');
    process.exit(2);
  }
}

interface WrkFigure {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
}

/** One wrk run on a route; its headers (a cookie, a token) go in wrk's arguments only. */
function runWrk(url: string, headers: Record<string, string>): WrkFigure {
  const output = execFileSync(
    'wrk',
    ['-t2', '-c10', '-d5s', '--latency', ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]), url],
    {
      encoding: 'utf8',
    },
  );
  const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)$/m.exec(output);
  if (!p50 || !Number.isFinite(requestsPerSecond)) throw new Error(`wrk printed no figures for ${new URL(url).pathname}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1];
  if (non2xx) throw new Error(`${new URL(url).pathname}: ${non2xx} answers were not 2xx: no figure`);
  return { requestsPerSecond, p50Ms: Number(p50[1]) * { us: 0.001, ms: 1, s: 1000 }[p50[2] as 'us' | 'ms' | 's'] };
}

const env = makeBenchEnv({ LAB_WEAKEN: 'dpop' });
const lab = await startLab({ env, logDir: BENCH_LOG_DIR, timeoutMs: 60_000 });
try {
  const { agent } = await signInOverHttp(lab.topology, 'alice');
  const routes = await describeNotesRoutes(lab.topology, agent, env.LAB_CONTROL_KEY ?? '');
  const route = (name: string) => {
    const found = routes.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no route ${name}`);
    return found;
  };
  const ratios: { bff: number[]; bffP50: number[]; origin: number[] } = { bff: [], bffP50: [], origin: [] };
  const times = (value: number) => `${value.toFixed(2)}×`;
  for (let round = 1; round <= rounds; round += 1) {
    const [direct, bff, origin] = ['direct', 'bff', 'app-origin'].map((name) => runWrk(route(name).url, route(name).headers)) as [
      WrkFigure,
      WrkFigure,
      WrkFigure,
    ];
    ratios.bff.push(bff.requestsPerSecond / direct.requestsPerSecond);
    ratios.bffP50.push(bff.p50Ms / direct.p50Ms);
    ratios.origin.push(origin.requestsPerSecond / direct.requestsPerSecond);
    console.log(
      `round ${round}: direct ${direct.requestsPerSecond.toFixed(0)} req/s, p50 ${direct.p50Ms.toFixed(2)} ms | ` +
        `BFF ${bff.requestsPerSecond.toFixed(0)} req/s (${times(ratios.bff.at(-1) ?? 0)}), p50 ${bff.p50Ms.toFixed(2)} ms (${times(ratios.bffP50.at(-1) ?? 0)}) | ` +
        `app's origin ${origin.requestsPerSecond.toFixed(0)} req/s (${times(ratios.origin.at(-1) ?? 0)}), p50 ${origin.p50Ms.toFixed(2)} ms`,
    );
  }
  console.log(
    `median of ${rounds}: BFF ${times(median(ratios.bff))} of the direct call (target ≥ 0.50×), p50 ${times(median(ratios.bffP50))} (target ≤ 2×); ` +
      `app's origin ${times(median(ratios.origin))} (target ≥ 0.35×)`,
  );
} finally {
  await lab.stop();
}
