import type { Scenario } from '../engine/scenario.ts';

/** The token-theft attempts, each against the lab as built and with its defence off. */
export const ATTACK_SCENARIOS: readonly Scenario[] = [];
