import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabTopology } from '@lab/shared';
import { REPO_ROOT } from './services.ts';

/** What a running `npm start` tells the scenarios: where the lab is and its control key. */
export interface RunFile {
  readonly pid: number;
  readonly startedAt: string;
  readonly topology: LabTopology;
  readonly controlKey: string;
}

export const RUN_FILE = path.join(REPO_ROOT, '.lab', 'run.json');

export function writeRunFile(run: RunFile, file = RUN_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(run, null, 2), { mode: 0o600 });
}

export function readRunFile(file = RUN_FILE): RunFile | undefined {
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
    process.kill(run.pid, 0); // throws when that process is gone
    return run;
  } catch {
    return undefined;
  }
}

/** Removes the run file, if it is this process's (another lab may have written its own since). */
export function removeRunFile(file = RUN_FILE, pid = process.pid): void {
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
    if (run.pid === pid) rmSync(file, { force: true });
  } catch {
    // no run file: nothing to remove
  }
}
