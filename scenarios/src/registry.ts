import type { Scenario } from './engine/scenario.ts';
import { ROLE_SCENARIOS } from './roles/index.ts';
import { FLOW_SCENARIOS, LIFETIME_SCENARIOS } from './flows/index.ts';
import { ATTACK_SCENARIOS } from './attacks/index.ts';
import { OPS_SCENARIOS } from './operations/index.ts';

export { OPS_SCENARIOS, LIFETIME_SCENARIOS };

/**
 * Every scenario, in the order a learner meets them: roles, flows, attacks; then the lifetimes,
 * which move the lab's clock by hours (a run of all of them does that last).
 */
export const SCENARIOS: readonly Scenario[] = [...ROLE_SCENARIOS, ...FLOW_SCENARIOS, ...ATTACK_SCENARIOS, ...LIFETIME_SCENARIOS];

/**
 * What the command line knows: every scenario of the default lab, then the operations scenarios,
 * which run only in the Redis set-up (`setup`): `--list` says so, and a lab without it skips them.
 */
export const CLI_SCENARIOS: readonly Scenario[] = [...SCENARIOS, ...OPS_SCENARIOS];

export function findScenario(id: string): Scenario | undefined {
  return CLI_SCENARIOS.find((scenario) => scenario.id === id);
}
