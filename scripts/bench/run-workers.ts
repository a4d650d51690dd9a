import { percentile } from './throughput.ts';

export interface WorkerRun {
  readonly concurrency: number;
  /** Work items that finished without throwing. */
  readonly done: number;
  readonly failed: number;
  /** The first few failures' messages, by message. */
  readonly failures: Readonly<Record<string, number>>;
  /** From the start until the last item in flight finished. */
  readonly elapsedMs: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface WorkerLimits {
  readonly concurrency: number;
  /** No item starts after this long. */
  readonly durationMs: number;
  /** No item starts once this many have started. */
  readonly maxItems?: number;
}

/**
 * `concurrency` workers, each starting its next item as soon as the last one finished (a closed
 * loop, like the load generator's connections), until the time or the number of items is up.
 * For work that autocannon cannot drive: a sign-in goes through two origins and follows each
 * redirect with the cookies the previous answer set.
 */
export async function runWorkers(limits: WorkerLimits, work: (index: number) => Promise<unknown>): Promise<WorkerRun> {
  const started = performance.now();
  const deadline = started + limits.durationMs;
  const maxItems = limits.maxItems ?? Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && next < maxItems) {
      const index = next;
      next += 1;
      const itemStarted = performance.now();
      try {
        await work(index);
        latencies.push(performance.now() - itemStarted);
      } catch (error) {
        failed += 1;
        const message = error instanceof Error ? error.message : String(error);
        failures[message] = (failures[message] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    concurrency: limits.concurrency,
    done: latencies.length,
    failed,
    failures,
    elapsedMs,
    perSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}
