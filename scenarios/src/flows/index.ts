import type { Scenario } from '../engine/scenario.ts';
import { recommendedFlow } from './recommended-flow.ts';

/** The flows, step by step. */
export const FLOW_SCENARIOS: readonly Scenario[] = [recommendedFlow];
