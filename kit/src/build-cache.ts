import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Builds of other source versions kept beside the current one (other branches, a bisect). */
const KEEP_BUILDS = 3;

export interface CachedBuild {
  /** The folder of this build, named after the hash of what it was made from. */
  readonly dir: string;
  /** True when this call built it; false when an earlier build of the same inputs was reused. */
  readonly built: boolean;
}

export interface BuildInputs {
  /** Where the builds are kept, one folder per hash (`.lab/build`, `.lab/app-build`). */
  readonly buildRoot: string;
  /** Paths in the hash are written relative to this folder, so that a moved checkout keeps its builds. */
  readonly repoRoot: string;
  /** Every file the build reads (a missing one is left out of the hash). */
  readonly files: readonly string[];
  /** Anything else the output depends on (options, values written into the code). */
  readonly extra?: string;
}

/**
 * A build made once per version of its inputs: `make` writes into a staging folder, which is then
 * renamed to `<buildRoot>/<hash>/`, so two labs starting at once never run or serve a
 * half-written build. An edit to any input changes the hash, and the next start builds again
 * without a command of its own; the oldest builds are removed.
 */
export async function buildOnce(inputs: BuildInputs, make: (staging: string) => Promise<void>): Promise<CachedBuild> {
  const dir = path.join(inputs.buildRoot, hashInputs(inputs));
  if (existsSync(path.join(dir, 'complete'))) return { dir, built: false };
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  await make(staging);
  writeFileSync(path.join(staging, 'complete'), new Date().toISOString());
  try {
    renameSync(staging, dir);
  } catch {
    // Another start built the same inputs first: use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  removeOldBuilds(inputs.buildRoot, dir);
  return { dir, built: true };
}

/** Every file below `dir` whose name `keep` accepts (all by default); none when `dir` does not exist. */
export function listFiles(dir: string, keep: (name: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full, keep);
    return keep(entry.name) ? [full] : [];
  });
}

function hashInputs({ repoRoot, files, extra = '' }: BuildInputs): string {
  const hash = createHash('sha256');
  for (const file of files.filter((candidate) => existsSync(candidate)).sort()) {
    hash.update(path.relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(extra);
  return hash.digest('hex').slice(0, 16);
}

function removeOldBuilds(buildRoot: string, current: string): void {
  const builds = readdirSync(buildRoot)
    .map((name) => path.join(buildRoot, name))
    .filter((dir) => dir !== current && existsSync(path.join(dir, 'complete')))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(old, { recursive: true, force: true });
  mkdirSync(buildRoot, { recursive: true });
}
