import type { Scenario } from '../engine/scenario.ts';

/** One scenario per role of the seed: what it does, holds and never sees. */
export const ROLE_SCENARIOS: readonly Scenario[] = [];
