import { readFileSync, writeFileSync } from 'node:fs';
import { formatTable, isDefect, summarise, type MutantResult } from './report.ts';

const HEADING = '## Mutation check of the defences';
const START = '<!-- mutation-run:start (written by npm run test:mutation -- --write-doc) -->';
const END = '<!-- mutation-run:end -->';

export interface FullRun {
  readonly results: readonly MutantResult[];
  readonly commit: string;
  readonly date: Date;
  readonly durationMs: number;
}

/**
 * Writes the figures of a full run into `docs/reliability.md`, between the two markers of the
 * section "Mutation check of the defences"; the prose around them, and the other sections, are
 * left as they are. Without the section, it is added at the end with its markers.
 */
export function writeDocSection(file: string, run: FullRun): void {
  const text = readFileSync(file, 'utf8');
  const block = `${START}\n${renderRunBlock(run)}${END}`;
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start !== -1 && end > start) {
    writeFileSync(file, `${text.slice(0, start)}${block}${text.slice(end + END.length)}`);
    return;
  }
  if (text.includes(`\n${HEADING}\n`))
    throw new Error(`${file}: the section "${HEADING.slice(3)}" has no markers ${START} … ${END}: add them where the run goes`);
  writeFileSync(file, `${text.trimEnd()}\n\n${HEADING}\n\n${block}\n`);
}

/** The last full run: its date, commit and time, the table, and what survived. */
export function renderRunBlock({ results, commit, date, durationMs }: FullRun): string {
  const defects = results.filter(isDefect);
  const survivors = results.filter((result) => result.verdict === 'survived' && result.mutant.kind === 'layer');
  const byTests = results.filter((result) => result.verdict === 'killed by test');
  const lines = [
    `### Last full run: ${date.toISOString().slice(0, 10)}, commit ${commit}, ${defects.length === 0 ? 'passing' : 'failing'}`,
    '',
    `\`npm run test:mutation -- --write-doc\`, ${Math.round(durationMs / 60_000)} min. ${summarise(results)}`,
    '',
    formatTable(results),
    '',
  ];
  if (defects.length > 0) {
    lines.push('Defects (a defence check that survived, or a mutant without a verdict):', '');
    for (const result of defects) lines.push(`- \`${result.mutant.id}\` (${result.mutant.file}:${result.line}): ${result.verdict}. ${result.detail}`);
    lines.push('');
  }
  lines.push('Layers that survived the scenarios and their unit tests (known, not defects):', '');
  if (survivors.length === 0) lines.push('- none');
  for (const result of survivors) lines.push(`- \`${result.mutant.id}\` (${result.mutant.file}:${result.line}): ${result.detail}`);
  lines.push('');
  if (byTests.length > 0) {
    lines.push('Layers the scenarios do not see, killed by a unit test:', '');
    for (const result of byTests) lines.push(`- \`${result.mutant.id}\` (${result.mutant.file}:${result.line}): ${result.detail}`);
    lines.push('');
  }
  return lines.join('\n');
}
