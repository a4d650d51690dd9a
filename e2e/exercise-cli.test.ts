import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { LabConnection, launchBrowser } from '@lab/scenarios';
import { EXERCISES } from '../scenarios/src/exercises/index.ts';
import { judgePrediction } from '../scenarios/src/exercises/judge.ts';
import { settleExercise } from '../scenarios/src/exercises/settle.ts';
import { createSourceTree, type SourceTree } from '../scripts/mutation/source-tree.ts';
import { TEST_PORTS } from './support/test-ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, ...TEST_PORTS, LAB_CONTROL_KEY: inject('controlKey'), NO_COLOR: '1' };

function exercise(args: string[], cwd = root, extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scenarios/src/exercise-cli.ts', ...args], {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/**
 * spawnSync blocks this process's event loop: keep-alive sockets the services closed meanwhile (5 s
 * idle) are still in fetch's pool until the loop has run once, and the next call would take one.
 */
function seeClosedSockets(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

describe('npm run exercise', () => {
  it('--list lists at least 16 exercises, the hands-on ones marked [code]', () => {
    const result = exercise(['--list']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(16);
    for (const { id } of EXERCISES) expect(lines.some((line) => line.startsWith(`${id} `))).toBe(true);
    expect(lines.filter((line) => line.includes('[code]')).length).toBeGreaterThanOrEqual(3);
  });

  it('answers a right prediction "right", with the exchanges from the trace', () => {
    const result = exercise(['csrf-header-first', '--answer', '403 csrf_header_missing then 401 not_authenticated']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^right$/m);
    expect(result.stdout).toContain(`User Agent (browser) → Client: BFF: GET ${inject('topology').spa.url}/api/notes → 403 csrf_header_missing`);
    expect(result.stdout).toContain(`GET ${inject('topology').spa.url}/api/notes → 401 not_authenticated`);
  });

  it('answers a wrong prediction "wrong", with what the lab answered and the evidence', () => {
    const result = exercise(['code-injection-defence', '--answer', 'pkce 400 invalid_grant']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('wrong: the lab answered state 400 invalid_state');
    expect(result.stdout).toMatch(/User Agent \(browser\) → Client: BFF: GET \S+\/bff\/callback\?.* → 400 invalid_state$/m);
    expect(result.stdout).not.toMatch(/^right$/m);
  });

  it('asks the lab as built, whatever its switches, and puts its switches back', async () => {
    const lab = new LabConnection(inject('topology'), inject('controlKey'));
    const before = await lab.settings();
    await lab.setWeakened(['csrf-header']);
    try {
      const result = exercise(['csrf-header-first', '--answer', '403 csrf_header_missing, 401 not_authenticated']);
      expect(result.status).toBe(0);
      await seeClosedSockets();
      const after = await lab.settings();
      expect(after.map(({ service, weakened }) => ({ service, weakened }))).toEqual(before.map(({ service }) => ({ service, weakened: ['csrf-header'] })));
    } finally {
      await seeClosedSockets();
      await Promise.all(before.map(({ service, ...settings }) => lab.update(service, settings)));
    }
  });

  it('takes a choice by its letter', () => {
    expect(exercise(['csrf-weakened-switches', '--answer', 'a']).status).toBe(1);
    const right = exercise(['csrf-weakened-switches', '--answer', 'b']);
    expect(right.status).toBe(0);
    expect(right.stdout).toContain('The lab answered: (b) cookie-samesite and csrf-header');
  });

  it('refuses to guess: no terminal and no --answer, an unknown id, reset of a question', () => {
    const noAnswer = exercise(['tampered-token']);
    expect(noAnswer.status).toBe(2);
    expect(noAnswer.stderr).toContain('give it with --answer <value>');
    const unknown = exercise(['no-such-exercise', '--answer', '1']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown exercise: no-such-exercise.');
    const notHandsOn = exercise(['reset', 'tampered-token']);
    expect(notHandsOn.status).toBe(2);
    expect(notHandsOn.stderr).toContain('Not a hands-on exercise: tampered-token.');
  });
});

describe('the answer key', () => {
  let browser: Browser | undefined;
  beforeAll(seeClosedSockets);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(EXERCISES.filter((candidate) => !candidate.code).map((candidate) => [candidate.id, candidate] as const))(
    'still holds against the lab as built: %s',
    async (_id, candidate) => {
      const lab = new LabConnection(inject('topology'), inject('controlKey'));
      const observation = await settleExercise(candidate, lab, async () => {
        browser ??= await launchBrowser();
        return browser;
      });
      expect({ answer: observation.answer, right: judgePrediction(candidate, candidate.answer, observation.answer).right }).toEqual({
        answer: candidate.answer,
        right: true,
      });
      expect(observation.evidence.length).toBeGreaterThan(0);
    },
    60_000,
  );
});

/**
 * The hands-on exercises in a copy of the committed sources (the repository's own files are never
 * edited by a test): each exercise's lab is built from the copy, on ports of its own
 * (`LAB_EXERCISE_TEST_PORT` and the four after it; 29100 by default).
 */
describe('the hands-on exercises, in a copy of the repository', () => {
  const base = Number(process.env.LAB_EXERCISE_TEST_PORT ?? 29_100);
  const ports = {
    SPA_PORT: String(base),
    BFF_PORT: String(base + 1),
    API_PORT: String(base + 2),
    AUTHSERVER_PORT: String(base + 3),
    ATTACKER_PORT: String(base + 4),
    LAB_EXERCISE_PORT_OFFSET: '0',
    LAB_CONTROL_KEY: '',
  };
  let tree: SourceTree;
  const git = (...args: string[]) => spawnSync('git', args, { cwd: tree.root, encoding: 'utf8' });

  beforeAll(() => {
    tree = createSourceTree();
    // reset restores from git: the copy gets a repository of its own.
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-qm', 'copy');
  });
  afterAll(() => tree?.remove());

  it('says "not in place" (exit 3) while the defence holds, without judging the prediction', () => {
    const result = exercise(['code-drop-csrf-header', '--answer', '403 csrf_header_missing'], tree.root, ports);
    expect(result.status, result.stderr).toBe(3);
    expect(result.stdout).toContain('not in place: attack-csrf still passes');
    expect(result.stdout).not.toMatch(/^(right|wrong)/m);
  });

  it.each(EXERCISES.filter((candidate) => candidate.code).map((candidate) => [candidate.id, candidate] as const))(
    '%s: with the change made, names the scenario that now fails and gives the answer of the key; reset restores only that file',
    (id, candidate) => {
      const { file, scenario, example } = candidate.code!;
      const original = tree.read(file);
      expect(original.split(example.find)).toHaveLength(2);
      tree.write(file, original.replace(example.find, example.replace));
      writeFileSync(path.join(tree.root, 'NOTES-OF-THE-LEARNER.md'), 'my own work\n');
      const readme = tree.read('README.md');
      tree.write('README.md', `${readme}\nA line of my own.\n`);

      const result = exercise([id, '--answer', candidate.answer], tree.root, ports);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`${scenario} now fails: your change is in place.`);
      expect(result.stdout).toMatch(new RegExp(`scenario ${scenario}: FAIL .*\\n +✗ `));
      expect(result.stdout).toMatch(/^right$/m);

      const reset = exercise(['reset', id], tree.root, ports);
      expect(reset.status).toBe(0);
      expect(tree.read(file)).toBe(original);
      expect(tree.read('README.md')).toBe(`${readme}\nA line of my own.\n`);
      expect(git('status', '--short').stdout.trimEnd().split('\n').sort()).toEqual([' M README.md', '?? NOTES-OF-THE-LEARNER.md']);
      tree.write('README.md', readme);
    },
    120_000,
  );

  it('the CSRF one shows the layers that still hold: 415 for the forged POSTs', () => {
    const { file, example } = EXERCISES.find((candidate) => candidate.id === 'code-drop-csrf-header')!.code!;
    const original = tree.read(file);
    tree.write(file, original.replace(example.find, example.replace));
    try {
      const result = exercise(['code-drop-csrf-header', '--answer', '403 csrf_header_missing'], tree.root, ports);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/POST \S+\/api\/notes → 415 unsupported_media_type/);
      expect(result.stdout).toContain('✗ the BFF refuses every one: 403 csrf_header_missing');
      expect(result.stdout).toContain('wrong: the lab answered 415 unsupported_media_type, 401 not_authenticated');
    } finally {
      tree.write(file, original);
    }
  }, 120_000);
});
