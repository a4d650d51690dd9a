import { readFileSync, writeFileSync } from 'node:fs';
import { formatTable, isDefect, summarise, type MutantResult } from './report.ts';

const HEADING = '## Mutation check of the defences';

export interface FullRun {
  readonly results: readonly MutantResult[];
  readonly commit: string;
  readonly date: Date;
  readonly durationMs: number;
}

/**
 * Writes the section "Mutation check of the defences" of `docs/reliability.md` from a full run:
 * what the check does, the command, the table of the run, and the mutants that survived. Only
 * this section is replaced (up to the next `## ` heading); the others are left as they are.
 */
export function writeDocSection(file: string, run: FullRun): void {
  const text = readFileSync(file, 'utf8');
  const section = renderDocSection(run);
  const start = text.indexOf(`\n${HEADING}\n`);
  if (start === -1) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + HEADING.length + 1);
  writeFileSync(file, `${text.slice(0, start + 1)}${section}${next === -1 ? '' : `\n${text.slice(next + 1)}`}`);
}

export function renderDocSection({ results, commit, date, durationMs }: FullRun): string {
  const defects = results.filter(isDefect);
  const survivors = results.filter((result) => result.verdict === 'survived' && result.mutant.kind === 'layer');
  const byTests = results.filter((result) => result.verdict === 'killed by test');
  const day = date.toISOString().slice(0, 10);
  const minutes = Math.round(durationMs / 60_000);
  const lines = [
    HEADING,
    '',
    'Each defence switch is read by a few lines of code. `scripts/mutation/mutants.ts` lists one-line',
    'mutations of those lines: the switch read replaced by `true` or `false`, the condition it guards',
    'negated, the header or the check it adds removed. Each mutant turns its defence off *in code*',
    'while the switch still says "on", so the defended run of its attack scenario, run against a lab',
    'started from the mutated code, must fail: if it still passes, the scenario would not notice the',
    'defence gone.',
    '',
    '`npm run test:mutation` copies the committed sources (`git archive HEAD`) to a temporary folder',
    '(the repository\'s own files are never changed), checks that the unmutated copy passes every',
    'scenario used, then, one mutant at a time: changes the line, starts a lab from the copy on ports',
    'of its own (SPA 45173, BFF 43000, API 44001, authorization server 44000, attacker 46660;',
    '`LAB_MUTATION_PORT_OFFSET` moves them), runs the scenarios in one browser, stops the lab, puts the',
    'line back. The scenarios of a mutant are the defended runs of the attacks that exercise its',
    'defence: those named after it, and those whose weakened twin switches it off.',
    '',
    'Two kinds of mutant:',
    '',
    '- **check**: the defence\'s check itself. It must be killed by a scenario; one that survives fails the run.',
    '- **layer**: a second layer that another check of the same defence already covers for every request',
    '  a scenario or an attacker can make, or an equivalent mutation. The scenarios cannot see it; its',
    '  unit tests (run by vitest in the mutated copy) judge it instead, and the survivors are listed below.',
    '',
    'A mutant whose lab does not start, or whose run overruns its bound (90 s + 150 s per scenario),',
    'has no verdict, and fails the run too.',
    '',
    '```sh',
    'npm run test:mutation                                    # every mutant: about 40 min on two shared cores',
    'npm run test:mutation -- --only nonce-not-sent,cookie-samesite-none',
    'npm run test:mutation -- --list                          # the mutants, their lines and their scenarios',
    'npm run test:mutation -- --write-doc                     # a full run, then this section rewritten from it',
    '```',
    '',
    `### Last full run: ${day}, commit ${commit}, ${defects.length === 0 ? 'passing' : 'failing'}`,
    '',
    `\`npm run test:mutation -- --write-doc\`, ${minutes} min. ${summarise(results)}`,
    '',
    formatTable(results),
    '',
  ];
  if (defects.length > 0) {
    lines.push('Defects (a defence check that survived, or a mutant without a verdict):', '');
    for (const result of defects) lines.push(`- \`${result.mutant.id}\` (${result.mutant.file}:${result.line}): ${result.verdict}. ${result.detail}`);
    lines.push('');
  }
  lines.push('Layers that survived every scenario and their unit tests (known, not defects):', '');
  if (survivors.length === 0) lines.push('- none');
  for (const result of survivors) lines.push(`- \`${result.mutant.id}\` (${result.mutant.file}:${result.line}): ${result.detail}`);
  lines.push('');
  if (byTests.length > 0) {
    lines.push('Layers the scenarios cannot see, killed by a unit test:', '');
    for (const result of byTests) lines.push(`- \`${result.mutant.id}\` (${result.mutant.file}:${result.line}): ${result.detail}`);
    lines.push('');
  }
  return lines.join('\n');
}
