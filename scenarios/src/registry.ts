import type { Scenario } from './engine/scenario.ts';
import { ROLE_SCENARIOS } from './roles/index.ts';
import { FLOW_SCENARIOS } from './flows/index.ts';
import { ATTACK_SCENARIOS } from './attacks/index.ts';

/** Every scenario, in the order a learner meets them: roles, flows, attacks. */
export const SCENARIOS: readonly Scenario[] = [...ROLE_SCENARIOS, ...FLOW_SCENARIOS, ...ATTACK_SCENARIOS];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.id === id);
}
