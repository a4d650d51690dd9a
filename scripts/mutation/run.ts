/**
 * The mutation check of the defences (`npm run test:mutation`): each mutant of `mutants.ts` turns
 * one defence off in code while its switch says "on"; the attack scenarios of that defence, run
 * against a lab started from the mutated code, must then fail.
 *
 *   npm run test:mutation                         every mutant, one lab each, one after another
 *   npm run test:mutation -- --only a,b           these mutants only
 *   npm run test:mutation -- --list               the mutants and the scenarios that judge them
 *   npm run test:mutation -- --write-doc          also write the table into docs/reliability.md
 *   npm run test:mutation -- --with-worktree scenarios/src/attacks/csrf.ts
 *                                                 these files as they are in the working tree, the rest
 *                                                 as committed (to try a scenario's fix before committing it)
 *
 * The mutants are applied to a copy of the committed sources (`git archive HEAD`, see
 * `source-tree.ts`), never to the repository's files. First the unmutated copy must pass every
 * scenario used (else nothing would be learnt from a failure); then, per mutant: mutate one line,
 * run its scenarios in a process of their own (`run-mutant.ts`, bounded in time), put the line back.
 * Exit status 1 when a defence check survived or a mutant got no verdict; 2 for a usage error or a
 * copy that fails without any mutation.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkPortFree } from '../../launcher/src/port-check.ts';
import { applyMutant, locateMutant } from './apply-mutant.ts';
import { writeDocSection } from './doc-section.ts';
import { MUTANTS, type Mutant } from './mutants.ts';
import { mutationLabPorts, type MutantRunFile, type ScenarioOutcome } from './outcome.ts';
import { describeFailure, formatTable, isDefect, summarise, type MutantResult } from './report.ts';
import { scenariosFor, type ScenarioInfo } from './scenarios-for.ts';
import { createSourceTree, REPO_ROOT, type SourceTree } from './source-tree.ts';

const LAB_BOUND_MS = 90_000;
const SCENARIO_BOUND_MS = 150_000;
const TESTS_BOUND_MS = 300_000;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    list: { type: 'boolean' },
    'write-doc': { type: 'boolean' },
    'keep-tree': { type: 'boolean' },
    'with-worktree': { type: 'string' },
  },
});
const only = values.only
  ?.split(',')
  .map((id) => id.trim())
  .filter(Boolean);
const unknown = only?.filter((id) => !MUTANTS.some((mutant) => mutant.id === id)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`Unknown mutant: ${unknown.join(', ')}. See: npm run test:mutation -- --list\n`);
  process.exit(2);
}
const overlay =
  values['with-worktree']
    ?.split(',')
    .map((file) => file.trim())
    .filter(Boolean) ?? [];
if (values['write-doc'] && (only || overlay.length > 0)) {
  process.stderr.write('--write-doc records a full run of the committed sources: drop --only and --with-worktree.\n');
  process.exit(2);
}
const selected = only ? MUTANTS.filter((mutant) => only.includes(mutant.id)) : MUTANTS;

if (values.list) {
  const registry = await loadRegistry(REPO_ROOT);
  for (const mutant of selected) {
    const line = locateMutant(readFileSync(path.join(REPO_ROOT, mutant.file), 'utf8'), mutant).line;
    process.stdout.write(
      `${mutant.id.padEnd(34)} ${mutant.kind.padEnd(5)} ${`${mutant.file}:${line}`.padEnd(50)} ${scenariosFor(mutant, registry).join(', ')}\n`,
    );
  }
  process.exit(0);
}

const started = Date.now();
const tree = createSourceTree();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'lab-mutation-out-'));
let running: ReturnType<typeof spawn> | undefined;
const removeAll = () => {
  if (!values['keep-tree']) tree.remove();
  rmSync(scratch, { recursive: true, force: true });
};
process.once('SIGINT', () => {
  process.stderr.write("\nInterrupted: stopping the mutant's lab and removing the copy...\n");
  if (running?.pid) killGroup(running.pid);
  setTimeout(() => {
    removeAll();
    process.exit(130);
  }, 1_000);
});

let status = 0;
try {
  status = await runAll(tree);
} finally {
  removeAll();
}
process.exit(status);

async function runAll(source: SourceTree): Promise<number> {
  process.stdout.write(`Mutation check of the defences: ${selected.length} mutants, sources of HEAD ${source.commit} copied to ${source.root}\n`);
  for (const file of overlay) source.write(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  if (overlay.length > 0) process.stdout.write(`From the working tree: ${overlay.join(', ')}\n`);
  const registry = await loadRegistry(source.root);
  const plans = selected.map((mutant) => ({ mutant, line: locateMutant(source.read(mutant.file), mutant).line, scenarios: scenariosFor(mutant, registry) }));
  const unjudged = plans.filter((plan) => plan.scenarios.length === 0);
  if (unjudged.length > 0) {
    process.stderr.write(`No scenario judges: ${unjudged.map((plan) => plan.mutant.id).join(', ')}\n`);
    return 2;
  }

  // The copy as committed must pass every scenario the mutants use, or a failure proves nothing.
  const all = [...new Set(plans.flatMap((plan) => plan.scenarios))];
  process.stdout.write(`\nUnmutated: ${all.length} scenarios...\n`);
  const baseline = await runScenarios(source, all);
  const broken = baseline.outcomes.filter((outcome) => !outcome.pass);
  if (baseline.problem || broken.length > 0 || baseline.outcomes.length !== all.length) {
    process.stderr.write(`The unmutated sources fail, so no mutant can be judged:\n${baseline.problem ?? broken.map(describeFailure).join('\n')}\n`);
    return 2;
  }
  process.stdout.write(`  all pass (${seconds(baseline.durationMs)})\n`);

  const results: MutantResult[] = [];
  for (const [index, plan] of plans.entries()) {
    const { mutant } = plan;
    process.stdout.write(`\n[${index + 1}/${plans.length}] ${mutant.id} (${mutant.defence}, ${mutant.file}:${plan.line}): ${plan.scenarios.join(', ')}\n`);
    const original = source.read(mutant.file);
    source.write(mutant.file, applyMutant(original, mutant));
    let result: MutantResult;
    try {
      result = await judge(source, plan);
    } finally {
      source.write(mutant.file, original);
    }
    results.push(result);
    process.stdout.write(`  ${result.verdict}${isDefect(result) ? ' (DEFECT)' : ''}: ${result.detail} (${seconds(result.durationMs)})\n`);
  }

  process.stdout.write(`\n${formatTable(results)}\n\n${summarise(results)}\nTotal time: ${seconds(Date.now() - started)}\n`);
  if (values['write-doc']) {
    writeDocSection(path.join(REPO_ROOT, 'docs', 'reliability.md'), { results, commit: source.commit, date: new Date(), durationMs: Date.now() - started });
    process.stdout.write('Written: docs/reliability.md, section "Mutation check of the defences"\n');
  }
  return results.some(isDefect) ? 1 : 0;
}

async function judge(source: SourceTree, plan: { mutant: Mutant; line: number; scenarios: readonly string[] }): Promise<MutantResult> {
  const { mutant, line, scenarios } = plan;
  const begun = Date.now();
  const done = (verdict: MutantResult['verdict'], detail: string, outcomes: readonly ScenarioOutcome[] = []): MutantResult => ({
    mutant,
    line,
    scenarios,
    verdict,
    detail,
    outcomes,
    durationMs: Date.now() - begun,
  });
  const run = await runScenarios(source, scenarios);
  if (run.labError !== undefined) return done('no lab', `the lab did not start: ${run.labError.split('\n')[0]}`);
  // The clearest evidence first: a run that ended normally with expectations that did not hold.
  const clarity = (outcome: ScenarioOutcome) => (outcome.error === undefined ? 0 : 1) + (outcome.failed.length > 0 ? 0 : 2);
  const failed = run.outcomes.filter((outcome) => !outcome.pass).sort((a, b) => clarity(a) - clarity(b));
  if (failed.length > 0) {
    const also =
      failed.length > 1
        ? ` (also failed: ${failed
            .slice(1)
            .map((outcome) => outcome.id)
            .join(', ')})`
        : '';
    return done('killed', `${describeFailure(failed[0]!)}${also}`, run.outcomes);
  }
  if (run.problem || run.outcomes.length !== scenarios.length) return done('error', run.problem ?? 'the run ended before every scenario ran', run.outcomes);
  if (mutant.tests && mutant.tests.length > 0) {
    const tests = await runUnitTests(source, mutant.tests);
    if (tests.problem) return done('error', tests.problem, run.outcomes);
    if (!tests.pass) return done('killed by test', `${mutant.why ?? 'Every scenario passed.'} Failed: ${tests.failed.join('; ')}`, run.outcomes);
    return done('survived', `${mutant.why ?? 'every scenario passed'} The unit tests pass too (${mutant.tests.join(', ')}).`, run.outcomes);
  }
  return done('survived', mutant.why ?? 'every scenario passed', run.outcomes);
}

/** One lab from the copy, the scenarios in order, in a child process bounded in time. */
async function runScenarios(source: SourceTree, ids: readonly string[]): Promise<MutantRunFile & { problem?: string; durationMs: number }> {
  const begun = Date.now();
  await waitForFreePorts();
  const out = path.join(scratch, `run-${Date.now()}.json`);
  const bound = LAB_BOUND_MS + SCENARIO_BOUND_MS * ids.length;
  const child = await runChild(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'mutation', 'run-mutant.ts'), '--root', source.root, '--out', out, ...ids],
    source.root,
    bound,
  );
  const file: MutantRunFile = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as MutantRunFile) : { outcomes: [] };
  const problem = child.timedOut
    ? `the run overran its ${seconds(bound)}`
    : child.code !== 0 && file.labError === undefined
      ? `the run ended with status ${child.code ?? child.signal}: ${child.output.trim().split('\n').slice(-3).join(' / ')}`
      : undefined;
  return { ...file, problem, durationMs: Date.now() - begun };
}

/** The mutant's unit tests, run by vitest in the copy (the tests import the copy's mutated source). */
async function runUnitTests(source: SourceTree, files: readonly string[]): Promise<{ pass: boolean; failed: string[]; problem?: string }> {
  const vitest = path.join(source.root, 'node_modules', 'vitest', 'vitest.mjs');
  const child = await runChild(process.execPath, [vitest, 'run', '--project', 'unit', '--reporter', 'dot', ...files], source.root, TESTS_BOUND_MS);
  if (child.timedOut) return { pass: false, failed: [], problem: `the unit tests overran ${seconds(TESTS_BOUND_MS)}` };
  if (child.code === 0) return { pass: true, failed: [] };
  // vitest names each failed test on a line "FAIL |unit| <file> > <describe> > <test>"; no values are taken from its output.
  const failed = [
    ...new Set(
      child.output
        .split('\n')
        .filter((text) => /^\s*FAIL\s/.test(text))
        .map((text) => {
          const [file, ...titles] = text
            .replace(/^\s*FAIL\s+(\|\w+\|\s+)?/, '')
            .replace(/\s*\[.*$/, '')
            .trim()
            .split(' > ');
          return titles.length > 0 ? `${file}: "${titles[titles.length - 1]}"` : `${file}`;
        }),
    ),
  ];
  if (failed.length === 0)
    return { pass: false, failed: [], problem: `vitest ended with status ${child.code}: ${child.output.trim().split('\n').slice(-3).join(' / ')}` };
  return { pass: false, failed: failed.slice(0, 3) };
}

function runChild(
  command: string,
  args: readonly string[],
  cwd: string,
  boundMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; output: string }> {
  return new Promise((resolve) => {
    // A process group of its own: on overrun, the lab's services go with it.
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    running = child;
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // SIGTERM first: the run stops its lab and its browser; then the whole group, whatever is left.
      child.kill('SIGTERM');
      setTimeout(() => killGroup(child.pid!), 15_000).unref();
    }, boundMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      resolve({ code, signal, timedOut, output });
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The previous mutant's lab may still be letting go of its ports. */
async function waitForFreePorts(): Promise<void> {
  // The attacker's site binds ::1, the others 127.0.0.1.
  const ports = Object.entries(mutationLabPorts(process.env)).map(([name, port]) => ({
    host: name === 'ATTACKER_PORT' ? '::1' : '127.0.0.1',
    port: Number(port),
  }));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const taken = await Promise.all(
      ports.map(({ host, port }) =>
        checkPortFree(host, port).then(
          () => false,
          () => true,
        ),
      ),
    );
    if (!taken.includes(true) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function loadRegistry(root: string): Promise<readonly ScenarioInfo[]> {
  const module = (await import(pathToFileURL(path.join(root, 'scenarios', 'src', 'registry.ts')).href)) as { SCENARIOS: readonly ScenarioInfo[] };
  return module.SCENARIOS;
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
