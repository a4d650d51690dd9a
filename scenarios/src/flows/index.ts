import type { Scenario } from '../engine/scenario.ts';
import { recommendedFlow } from './recommended-flow.ts';
import { seedFlow } from './seed-flow.ts';
import { refreshFlow } from './refresh-flow.ts';
import { logoutFlow } from './logout-flow.ts';
import { backchannelLogoutFlow } from './backchannel-logout-flow.ts';

/** The flows, step by step. */
export const FLOW_SCENARIOS: readonly Scenario[] = [recommendedFlow, seedFlow, refreshFlow, logoutFlow, backchannelLogoutFlow];
