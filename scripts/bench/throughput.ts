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

/**
 * Loads one route with autocannon: `connections` keep-alive connections, each sending its next
 * request as soon as the answer arrived, for `durationSeconds`.
 */
export async function measureRoute(lab: RunningLab, route: Route, shape: LoadShape): Promise<Throughput> {
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
  latencies.sort((a, b) => a - b);
  const requestsPerSecond = result.requests.total / (result.duration || shape.durationSeconds);
  return {
    route: route.name,
    requestsPerSecond,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    latencyMeasured: closed === 0,
    meanLatencyMs: (shape.connections * 1000) / requestsPerSecond,
    answers: result.requests.total,
    cpu,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Each route loaded in turn, all in one run: first a short warm-up of every route (the JIT, the
 * keep-alive pools between the services), then the measurement proper.
 */
export async function compareRoutes(lab: RunningLab, routes: readonly Route[], shape: LoadShape): Promise<Throughput[]> {
  for (const route of routes) await measureRoute(lab, route, { connections: shape.connections, durationSeconds: 1 });
  const figures: Throughput[] = [];
  for (const route of routes) figures.push(await measureRoute(lab, route, shape));
  return figures;
}

/** The value below which `fraction` of the sorted values lie (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
