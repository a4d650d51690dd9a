import type { Scenario } from '../engine/scenario.ts';
import { recommendedFlow } from './recommended-flow.ts';
import { seedFlow } from './seed-flow.ts';
import { refreshFlow } from './refresh-flow.ts';
import { logoutFlow } from './logout-flow.ts';
import { backchannelLogoutFlow } from './backchannel-logout-flow.ts';
import { bffIdleTimeout } from './lifetime-bff-idle.ts';
import { bffAbsoluteTimeout } from './lifetime-bff-absolute.ts';
import { refreshTokenExpiry } from './lifetime-refresh-token.ts';
import { authServerSessionExpiry } from './lifetime-authserver-session.ts';

/**
 * What ends when, on the lab's clock: each moves it forward by as much as its lifetime says (up to
 * hours), so the tests run them in a lab of their own.
 */
export const LIFETIME_SCENARIOS: readonly Scenario[] = [refreshTokenExpiry, bffIdleTimeout, bffAbsoluteTimeout, authServerSessionExpiry];

/** The flows, step by step, then the lifetimes. */
export const FLOW_SCENARIOS: readonly Scenario[] = [recommendedFlow, seedFlow, refreshFlow, logoutFlow, backchannelLogoutFlow, ...LIFETIME_SCENARIOS];
