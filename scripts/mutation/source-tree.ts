import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository this script belongs to (its files are never mutated: a copy is). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * A copy of the committed sources (`git archive HEAD`) in a temporary folder, for mutants: other
 * people work in the repository, so its files are never changed in place. The copy shares the
 * repository's installed packages through symbolic links, except the lab's own workspaces
 * (`@lab/*`), which point into the copy: the launcher, the services and the scenarios of the copy
 * then import each other, not the repository's. The launcher builds the copy's services into the
 * copy's `.lab/build/`.
 */
export interface SourceTree {
  readonly root: string;
  readonly commit: string;
  /** Reads a file of the copy (a repository path, e.g. `bff/src/session.ts`). */
  read(file: string): string;
  write(file: string, text: string): void;
  remove(): void;
}

export function createSourceTree(repo = REPO_ROOT): SourceTree {
  const commit = git(repo, ['rev-parse', '--short', 'HEAD']);
  const root = mkdtempSync(path.join(os.tmpdir(), 'lab-mutation-'));
  try {
    const archive = spawnSync('sh', ['-c', 'git archive --format=tar HEAD | tar -x -C "$1"', 'sh', root], { cwd: repo, encoding: 'utf8' });
    if (archive.status !== 0) throw new Error(`git archive HEAD | tar -x failed: ${archive.stderr.trim()}`);
    linkPackages(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
    // Vite's pre-bundled dependencies of the app: without them its first page load bundles them
    // anew and may reload the page in the middle of the first scenario.
    const viteCache = path.join(repo, 'spa', 'node_modules', '.vite');
    if (existsSync(viteCache)) cpSync(viteCache, path.join(root, 'spa', 'node_modules', '.vite'), { recursive: true });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    root,
    commit,
    read: (file) => readFileSync(path.join(root, file), 'utf8'),
    write: (file, text) => writeFileSync(path.join(root, file), text),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * `node_modules` of the copy: one link per installed package to the repository's, and `@lab/*`
 * as npm makes them for workspaces (`../../<workspace>`, relative, so into the copy).
 */
function linkPackages(from: string, to: string): void {
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    if (name === '@lab') continue;
    symlinkSync(path.join(from, name), path.join(to, name));
  }
  mkdirSync(path.join(to, '@lab'));
  for (const workspace of readdirSync(path.join(from, '@lab'))) {
    const target = readlinkSync(path.join(from, '@lab', workspace));
    if (path.isAbsolute(target)) throw new Error(`node_modules/@lab/${workspace} links to ${target}: expected a relative link, as npm makes for a workspace`);
    symlinkSync(target, path.join(to, '@lab', workspace));
  }
}

function git(cwd: string, args: readonly string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}
