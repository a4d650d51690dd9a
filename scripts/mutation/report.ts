import type { Mutant } from './mutants.ts';
import type { ScenarioOutcome } from './outcome.ts';

/**
 * - `killed`: a scenario failed against the mutant.
 * - `killed by test`: every scenario passed, one of the mutant's unit tests failed (layers only).
 * - `survived`: every scenario (and unit test) passed.
 * - `no lab`: the lab did not start with the mutant (a bad mutation: fix the list).
 * - `error`: the run did not come to a verdict (it overran its time, or crashed).
 */
export type Verdict = 'killed' | 'killed by test' | 'survived' | 'no lab' | 'error';

export interface MutantResult {
  readonly mutant: Mutant;
  /** The line of the mutated code, in the source tree the run used. */
  readonly line: number;
  readonly scenarios: readonly string[];
  readonly verdict: Verdict;
  /** Why killed (the scenario and what failed), or why it could survive. */
  readonly detail: string;
  readonly outcomes: readonly ScenarioOutcome[];
  readonly durationMs: number;
}

/** A result that fails the run: a defence check that survived its scenarios, or no verdict at all. */
export function isDefect(result: MutantResult): boolean {
  if (result.verdict === 'no lab' || result.verdict === 'error') return true;
  return result.mutant.kind === 'check' && result.verdict !== 'killed';
}

/** What a failed scenario shows: its first failed expectations, or the error that stopped it. */
export function describeFailure(outcome: ScenarioOutcome): string {
  const shown = outcome.failed.slice(0, 2).map((name) => `"${name}"`);
  const more = outcome.failed.length > 2 ? ` (+${outcome.failed.length - 2} more)` : '';
  const failed = shown.length > 0 ? `failed ${shown.join(', ')}${more}` : '';
  const error = outcome.error ? `stopped: ${shorten(scrub(oneLine(outcome.error)), 100)}` : '';
  return `${outcome.id}: ${[failed, error].filter(Boolean).join('; ')}`;
}

/** The results as a Markdown table, one row per mutant. */
export function formatTable(results: readonly MutantResult[]): string {
  const rows = ['| defence | where | mutation | kind | scenarios | result | why |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const result of results) {
    const { mutant } = result;
    const mutation = `${code(shorten(mutant.find, 72))} → ${mutant.replace === '' ? '(removed)' : code(shorten(mutant.replace, 48))}`;
    const result_ = result.verdict === 'survived' && mutant.kind === 'check' ? '**SURVIVED**' : result.verdict;
    rows.push(
      `| ${mutant.defence} | ${mutant.file}:${result.line} | ${mutation} | ${mutant.kind} | ${result.scenarios.join(', ')} | ${result_} | ${cell(result.detail)} |`,
    );
  }
  return rows.join('\n');
}

export function summarise(results: readonly MutantResult[]): string {
  const count = (verdict: Verdict) => results.filter((result) => result.verdict === verdict).length;
  const defects = results.filter(isDefect);
  const survivingLayers = results.filter((result) => result.mutant.kind === 'layer' && result.verdict === 'survived').length;
  return `${results.length} mutants: ${count('killed')} killed by a scenario, ${count('killed by test')} by a unit test, ${count('survived')} survived (${survivingLayers} of them layers), ${count('no lab') + count('error')} without a verdict. ${
    defects.length === 0 ? 'No defence check survived.' : `Defects: ${defects.map((result) => result.mutant.id).join(', ')}.`
  }`;
}

function code(text: string): string {
  // A `|` inside a table cell ends the cell, even in code.
  return `\`${text.replaceAll('|', '\\|')}\``;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** An error message may quote a URL or a token: no code, state or token value goes into the report. */
function scrub(text: string): string {
  return text
    .replace(/\beyJ[\w-]*\.[\w-]*\.?[\w-]*/g, 'eyJ…')
    .replace(/\b(code|state|nonce|code_verifier|access_token|refresh_token|id_token|token)=[^&\s"']+/g, '$1=…');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
