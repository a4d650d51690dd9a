import { startLab, type RunningLab } from '@lab/launcher';
import { buildServices } from '../../launcher/src/build-services.ts';
import { BENCH_LOG_DIR } from './bench-env.ts';

export interface ColdStart {
  /** Building the services into `.lab/build/<hash>/`, or undefined when this version was built before. */
  readonly buildMs: number | undefined;
  /** Each start, from the first spawn until every `/healthz` answered 200. */
  readonly startsMs: readonly number[];
  readonly medianMs: number;
}

/**
 * Starts the whole lab `runs` times as `npm start` does (a new process per service, the build
 * already cached), stops all but the last, and hands that one over to the next measurements.
 * The build happens once per version of the sources; it is timed apart, not as a start.
 */
export async function measureColdStart(env: Record<string, string>, runs: number): Promise<{ figure: ColdStart; lab: RunningLab }> {
  const buildStarted = performance.now();
  const build = await buildServices();
  const buildMs = build.built ? performance.now() - buildStarted : undefined;
  const startsMs: number[] = [];
  let lab: RunningLab | undefined;
  for (let run = 0; run < runs; run += 1) {
    await lab?.stop();
    lab = await startLab({ env, logDir: BENCH_LOG_DIR, timeoutMs: 60_000 });
    startsMs.push(lab.startupMs);
  }
  if (!lab) throw new Error('no start was measured');
  return { figure: { buildMs, startsMs, medianMs: median(startsMs) }, lab };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
