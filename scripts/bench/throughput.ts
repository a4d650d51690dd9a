import autocannon from 'autocannon';
import type { RunningLab } from '@lab/launcher';
import { measureCpu, type CpuSpent } from './cpu-time.ts';

/** One way to `GET /notes`, as the load generator sends it. */
export interface Route {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Throughput {
  readonly route: string;
  readonly requestsPerSecond: number;
  /** Latency of the 2xx answers, in milliseconds (each answer's own time, not autocannon's whole-millisecond histogram). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * False when the server closed the connection after its answers (`Connection: close`):
   * autocannon then pairs each answer with a request sent on the closed connection, and its
   * latencies grow with the run; the answers per second stay right. `meanLatencyMs` is then
   * the latency from Little's law (connections ÷ throughput).
   */
  readonly latencyMeasured: boolean;
  readonly meanLatencyMs: number;
  readonly answers: number;
  /** CPU spent by the services and the load client during the measurement. */
  readonly cpu: CpuSpent;
  /** Answers that were not 2xx, plus connection errors and timeouts: a figure with any is not a figure. */
  readonly failures: number;
}

export interface LoadShape {
  /** Keep-alive connections, each with one request in flight (wrk's `-c`). */
  readonly connections: number;
  readonly durationSeconds: number;
}

/** What one load of one route saw, before it is summed with the route's other loads. */
interface RouteSample {
  readonly latencies: readonly number[];
  readonly answers: number;
  readonly seconds: number;
  readonly failures: number;
  /** Answers that closed their connection (`Connection: close`). */
  readonly closed: number;
  readonly cpu: CpuSpent;
}

/**
 * Loads one route with autocannon: `connections` keep-alive connections, each sending its next
 * request as soon as the answer arrived, for `durationSeconds`.
 */
export async function measureRoute(lab: RunningLab, route: Route, shape: LoadShape): Promise<Throughput> {
  return summarize(route, shape, [await loadRoute(lab, route, shape)]);
}

/**
 * Each route loaded in turn, all in one run: first a short warm-up of every route (the JIT, the
 * keep-alive pools between the services), then the measurement proper in two halves, in the
 * order A B C C B A, so that a change in the machine's load during the run weighs on every
 * route alike rather than on the last one.
 */
export async function compareRoutes(lab: RunningLab, routes: readonly Route[], shape: LoadShape): Promise<Throughput[]> {
  for (const route of routes) await loadRoute(lab, route, { connections: shape.connections, durationSeconds: 1 });
  const half = { connections: shape.connections, durationSeconds: shape.durationSeconds / 2 };
  const samples = new Map<Route, RouteSample[]>(routes.map((route) => [route, []]));
  for (const route of [...routes, ...[...routes].reverse()]) samples.get(route)!.push(await loadRoute(lab, route, half));
  return routes.map((route) => summarize(route, shape, samples.get(route)!));
}

async function loadRoute(lab: RunningLab, route: Route, shape: LoadShape): Promise<RouteSample> {
  const latencies: number[] = [];
  let closed = 0;
  const run = () =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: route.url,
          headers: { ...route.headers },
          connections: shape.connections,
          pipelining: 1,
          duration: shape.durationSeconds,
          timeout: 10,
          setupClient: (client) => {
            // autocannon hands on its HTTP parser's record of the answer's head (not the typed headers).
            client.on('headers', (head) => {
              if ((head as { shouldKeepAlive?: boolean }).shouldKeepAlive === false) closed += 1;
            });
          },
        },
        (error: unknown, finished) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished)),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    });
  const { result, cpu } = await measureCpu(lab, ['spa', 'bff', 'resource-api'], run);
  return {
    latencies,
    answers: result.requests.total,
    seconds: result.duration || shape.durationSeconds,
    failures: result.non2xx + result.errors + result.timeouts,
    closed,
    cpu,
  };
}

function summarize(route: Route, shape: LoadShape, samples: readonly RouteSample[]): Throughput {
  const latencies = samples.flatMap((sample) => sample.latencies).sort((a, b) => a - b);
  const answers = sum(samples.map((sample) => sample.answers));
  const requestsPerSecond = answers / sum(samples.map((sample) => sample.seconds));
  const cpu: Record<string, number> = {};
  for (const sample of samples) for (const [name, ms] of Object.entries(sample.cpu)) cpu[name] = (cpu[name] ?? 0) + (ms ?? 0);
  return {
    route: route.name,
    requestsPerSecond,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    latencyMeasured: samples.every((sample) => sample.closed === 0),
    meanLatencyMs: (shape.connections * 1000) / requestsPerSecond,
    answers,
    cpu: cpu as CpuSpent,
    failures: sum(samples.map((sample) => sample.failures)),
  };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** The value below which `fraction` of the sorted values lie (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
