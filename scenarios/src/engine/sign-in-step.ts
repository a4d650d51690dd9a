import type { ScenarioKind, StepRecord } from './scenario.ts';

/**
 * A victim's ordinary sign-in, as most attack scenarios start: the Resource Owner signs in. Brief
 * narration and reports show it as one line or one group: the attack is what follows.
 */
export function isRoutineSignIn(kind: ScenarioKind | undefined, step: Pick<StepRecord, 'actor' | 'action'>): boolean {
  return kind === 'attack' && step.actor === 'Resource Owner' && /\bsigns in\b/.test(step.action);
}
