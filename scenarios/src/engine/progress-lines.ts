import type { Scenario, ScenarioResult, StepInput } from './scenario.ts';

/**
 * `--progress-json`: one JSON line per step as it starts, and one when the scenario ends, for a
 * live view of a run (the instructor's X-ray runs scenarios this way, see the wing's
 * `xray/scenario-launcher.ts`). Only what a step says it does: never its exchanges, so no token.
 */
export type ProgressLine =
  | { readonly event: 'step'; readonly id: string; readonly number: number; readonly actor: string; readonly action: string; readonly look?: string }
  | { readonly event: 'end'; readonly id: string; readonly pass: boolean; readonly failed: readonly string[]; readonly error?: string };

export function stepStartedLine(scenario: Scenario, input: StepInput, number: number): string {
  return lineOf({ event: 'step', id: scenario.id, number, actor: input.actor, action: input.action, look: input.look });
}

/** The end: passed or not, and the names of the expectations that did not hold. */
export function scenarioEndedLine(result: ScenarioResult): string {
  const failed = result.expectations.filter((expectation) => !expectation.pass).map((expectation) => expectation.name);
  return lineOf({ event: 'end', id: result.id, pass: result.pass, failed, error: result.error });
}

/** The lines the `--list --json` form prints: one array. */
export function scenarioListOf(registry: readonly Scenario[]): string {
  return JSON.stringify(registry.map(({ id, title, kind }) => ({ id, title, kind })));
}

function lineOf(line: ProgressLine): string {
  return `${JSON.stringify(line)}\n`;
}
