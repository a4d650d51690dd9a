import type { ColdStart } from './cold-start.ts';
import { formatCpuPerItem } from './cpu-time.ts';
import type { LoginRun } from './login-rate.ts';
import type { MemoryReading } from './inspect-memory.ts';
import { formatLoad, type Machine } from './machine.ts';
import type { RedisMemoryReading } from './redis-memory.ts';
import type { SessionMemory } from './session-memory.ts';
import type { Throughput } from './throughput.ts';

export interface BenchResults {
  readonly command: string;
  readonly date: string;
  readonly machine: Machine;
  /** Load averages when the bench ended. */
  readonly loadAfter: readonly number[];
  readonly durationSeconds: number;
  readonly coldStart: ColdStart;
  readonly routes: readonly Throughput[];
  readonly logins: readonly LoginRun[];
  /** Sign-ins of users already signed in at the authorization server, as the memory measurement makes its sessions. */
  readonly singleSignOn: LoginRun;
  readonly memory: SessionMemory;
  /** The same with the sessions and tokens in Redis (`LAB_STORE=redis`), when measured. */
  readonly redisMemory?: SessionMemory;
}

/** The issue's targets, checked against this run's figures. */
export const TARGETS = {
  bffThroughputRatio: 0.5,
  bffP50Ratio: 2,
  appOriginThroughputRatio: 0.35,
  startMs: 2_000,
  loginsPerSecondAt10: 200,
  /** 100 MB (10^6 bytes, as the issue counts). */
  rssBytesFor10000: 100e6,
} as const;

const ROUTE_LABELS: Readonly<Record<string, string>> = {
  direct: 'resource API direct, bearer',
  bff: 'BFF :BFF_PORT/api/notes (bearer)',
  'bff-dpop': 'BFF :BFF_PORT/api/notes with DPoP (default)',
  'app-origin': "app's origin :SPA_PORT/api/notes",
};

/** The figures as rows of cells, the same for the terminal and for the Markdown document. */
export function tabulate(results: BenchResults): { headers: string[]; rows: string[][] } {
  const direct = results.routes.find((route) => route.route === 'direct');
  const rows: string[][] = [];
  const { coldStart } = results;
  rows.push([
    'cold start, all healthy (median of 3)',
    seconds(coldStart.medianMs),
    `runs ${coldStart.startsMs.map(seconds).join(', ')}${coldStart.buildMs === undefined ? '; build cached' : `; build ${seconds(coldStart.buildMs)} before them`}`,
    verdict(coldStart.medianMs <= TARGETS.startMs, `≤ ${seconds(TARGETS.startMs)}`),
  ]);
  for (const route of results.routes) {
    const rate = direct ? route.requestsPerSecond / direct.requestsPerSecond : Number.NaN;
    const p50 = direct ? route.p50Ms / direct.p50Ms : Number.NaN;
    const target =
      route.route === 'bff'
        ? verdict(rate >= TARGETS.bffThroughputRatio && p50 <= TARGETS.bffP50Ratio, `≥ ${TARGETS.bffThroughputRatio}×, p50 ≤ ${TARGETS.bffP50Ratio}×`)
        : route.route === 'app-origin'
          ? verdict(rate >= TARGETS.appOriginThroughputRatio, `≥ ${TARGETS.appOriginThroughputRatio}×`)
          : '';
    const latency = route.latencyMeasured
      ? `p50 ${ms(route.p50Ms)} (${ratio(p50)}), p99 ${ms(route.p99Ms)}`
      : `p50/p99 not measurable: it closes the connection after each answer (Connection: close); mean ${ms(route.meanLatencyMs)} (connections ÷ req/s)`;
    rows.push([
      `GET notes: ${ROUTE_LABELS[route.route] ?? route.route}`,
      `${whole(route.requestsPerSecond)} req/s (${ratio(rate)})`,
      `${latency}; ${whole(route.answers)} answers${route.failures ? `, ${route.failures} FAILED` : ''}; CPU ms per request: ${formatCpuPerItem(route.cpu, route.answers)}`,
      target,
    ]);
  }
  for (const run of [...results.logins, results.singleSignOn]) {
    const label =
      run === results.singleSignOn
        ? `sign-ins already signed in at the AS (SSO), ${run.concurrency} concurrent`
        : `headless logins, ${run.concurrency} concurrent`;
    rows.push([
      label,
      `${run.perSecond.toFixed(1)} /s`,
      `p50 ${ms(run.p50Ms)}, p99 ${ms(run.p99Ms)}; ${run.done} done${run.failed ? `, ${run.failed} FAILED (${Object.keys(run.failures).slice(0, 2).join('; ')})` : ''}; CPU ms per login: ${formatCpuPerItem(run.cpu, run.done)}`,
      run.concurrency === 10 && run !== results.singleSignOn ? verdict(run.perSecond >= TARGETS.loginsPerSecondAt10, `≥ ${TARGETS.loginsPerSecondAt10}/s`) : '',
    ]);
  }
  for (const memory of [results.memory, results.redisMemory]) if (memory) rows.push(...memoryRows(memory));
  return { headers: ['measure', 'figure', 'detail (ratios against the direct call)', 'target'], rows };
}

/** Baseline, signed in, expired: the BFF's memory, and with the Redis store what Redis holds. */
function memoryRows(memory: SessionMemory): string[][] {
  const label = memory.store === 'redis' ? 'BFF memory, LAB_STORE=redis' : 'BFF memory';
  const redis = (reading: RedisMemoryReading | undefined) =>
    reading
      ? `; Redis: ${mb(reading.usedBytes)} of data, ${mb(reading.rssBytes)} RSS, ${whole(reading.keys)} keys of which ${whole(reading.sessionKeys)} the BFF's sessions and tokens`
      : '';
  const added = Math.max(1, memory.sessionsAlive - memory.baselineSessions);
  const released = memory.signedIn.heapUsedBytes - memory.expired.heapUsedBytes;
  // In the BFF's memory, a session holds three tokens (well over 1 KB): less than that released
  // each means they are kept. In Redis, the BFF's session and token keys are gone (the
  // authorization server's grants and refresh tokens live longer than the BFF's sessions here).
  const purged =
    memory.store === 'redis'
      ? memory.sessionsListedAfterExpiry === 0 && (memory.redis?.expired.sessionKeys ?? Number.POSITIVE_INFINITY) === 0
      : memory.sessionsListedAfterExpiry === 0 && released >= memory.sessionsAlive * 1_000;
  return [
    [
      `${label}, ${whole(memory.baselineSessions)} sessions (baseline, after warm-up)`,
      rssCell(memory.baseline),
      `${memoryCells(memory.baseline)}${redis(memory.redis?.baseline)}`,
      '',
    ],
    [
      `${label}, ${whole(memory.sessionsAlive)} sessions signed in`,
      rssCell(memory.signedIn),
      `${memoryCells(memory.signedIn)}; over the baseline ${kb((memory.signedIn.rssAfterGcBytes - memory.baseline.rssAfterGcBytes) / added)} settled RSS, ${kb((memory.signedIn.heapUsedBytes - memory.baseline.heapUsedBytes) / added)} heap per session; sessions made by ${whole(memory.signIns.done)} SSO sign-ins at ${memory.signIns.perSecond.toFixed(0)}/s${memory.signIns.failed ? `, ${memory.signIns.failed} FAILED` : ''}${redis(memory.redis?.signedIn)}`,
      rssTarget(memory),
    ],
    [
      `${label}, after they expired (TTL ${memory.ttlSeconds} s, then the sweep)`,
      rssCell(memory.expired),
      `${memoryCells(memory.expired)}; released ${mb(released)} heap = ${kb(released / memory.sessionsAlive)} per session; the store lists ${memory.sessionsListedAfterExpiry} sessions${redis(memory.redis?.expired)}`,
      verdict(purged, 'purged'),
    ],
  ];
}

/** A plain-text table for the terminal. */
export function formatTable(results: BenchResults): string {
  const { headers, rows } = tabulate(results);
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const { machine } = results;
  return [
    `${results.command}: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average ${formatLoad(machine.loadAverage)} → ${formatLoad(results.loadAfter)}, ${results.durationSeconds.toFixed(0)} s`,
    line(headers),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n');
}

/** The same figures as a Markdown table, with the machine they were taken on. */
export function formatMarkdown(results: BenchResults): string {
  const { headers, rows } = tabulate(results);
  const { machine } = results;
  const escapePipes = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `Measured by \`${results.command}\` on ${results.date}, commit ${machine.commit}, in ${results.durationSeconds.toFixed(0)} s.`,
    '',
    `Machine: ${machine.cpus} CPUs (\`nproc\`), ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB; Node ${machine.node}; load average (1/5/15 min) ${formatLoad(machine.loadAverage)} at the start, ${formatLoad(results.loadAfter)} at the end (a shared machine: other runs were using it).`,
    '',
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapePipes).join(' | ')} |`),
  ].join('\n');
}

/**
 * RSS as the OS counted it when read, and once settled (after a full GC): between two major
 * collections V8 holds garbage, so the first depends on when the last one ran.
 */
function rssCell(reading: MemoryReading): string {
  return `${mb(reading.rssBytes)} RSS, ${mb(reading.rssAfterGcBytes)} settled`;
}

/** Met or not for 10,000 sessions (settled RSS); extrapolated along this run's slope when fewer were made in time. */
function rssTarget(memory: SessionMemory): string {
  const target = `10,000 sessions ≤ ${mb(TARGETS.rssBytesFor10000)} settled RSS`;
  if (memory.sessionsAlive >= 10_000) return verdict(memory.signedIn.rssAfterGcBytes <= TARGETS.rssBytesFor10000, target);
  const slope = (memory.signedIn.rssAfterGcBytes - memory.baseline.rssAfterGcBytes) / Math.max(1, memory.sessionsAlive - memory.baselineSessions);
  const at10000 = memory.baseline.rssAfterGcBytes + slope * (10_000 - memory.baselineSessions);
  return `${verdict(at10000 <= TARGETS.rssBytesFor10000, target)} (extrapolated: ${mb(at10000)})`;
}

function memoryCells(reading: MemoryReading): string {
  return `heap ${mb(reading.heapUsedBytes)} (after a full GC), external ${mb(reading.externalBytes)}`;
}

function verdict(met: boolean, target: string): string {
  return `${target}: ${met ? 'met' : 'NOT met'}`;
}

const seconds = (valueMs: number) => `${(valueMs / 1000).toFixed(2)} s`;
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const whole = (value: number) => Math.round(value).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} KB`;
