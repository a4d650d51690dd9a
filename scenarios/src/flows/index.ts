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

/** The flows, step by step. */
export const FLOW_SCENARIOS: readonly Scenario[] = [recommendedFlow, seedFlow, refreshFlow, logoutFlow, backchannelLogoutFlow];

/**
 * What ends when (flows too): each moves the lab's clock forward by as much as the lifetime it
 * shows, up to hours. The registry lists them last, and the tests run them in a lab of their own,
 * so that no other scenario runs on a lab whose time is hours ahead.
 */
export const LIFETIME_SCENARIOS: readonly Scenario[] = [refreshTokenExpiry, bffIdleTimeout, bffAbsoluteTimeout, authServerSessionExpiry];
