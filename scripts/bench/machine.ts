import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  /** `nproc`: the CPUs this process may use. */
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly number[];
  readonly commit: string;
}

/** The machine the figures were taken on, and how busy it was (other people's runs included). */
export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    loadAverage: os.loadavg(),
    commit: readCommit(),
  };
}

function readCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

export function formatLoad(loadAverage: readonly number[]): string {
  return loadAverage.map((load) => load.toFixed(2)).join(' / ');
}
