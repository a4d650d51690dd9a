import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './repo-root.ts';

/**
 * The file of a hands-on exercise back as committed (HEAD), in the working tree and the index:
 * only that file, so the learner's other work stays. Returns git's complaint, if any.
 */
export function restoreFromGit(file: string, root = REPO_ROOT): string | undefined {
  const restored = spawnSync('git', ['restore', '--source=HEAD', '--staged', '--worktree', '--', file], { cwd: root, encoding: 'utf8' });
  return restored.status === 0 ? undefined : restored.stderr.trim() || `git exited with ${restored.status}`;
}

/** Lines added or removed in the file against HEAD (0 when unchanged or not a git checkout). */
export function changedLines(file: string, root = REPO_ROOT): number {
  const diff = spawnSync('git', ['diff', '--numstat', 'HEAD', '--', file], { cwd: root, encoding: 'utf8' });
  const [added = '0', removed = '0'] = diff.stdout.trim().split(/\s+/);
  return (Number(added) || 0) + (Number(removed) || 0);
}
