import type { Scenario } from '../engine/scenario.ts';
import { resourceOwnerRole } from './resource-owner.ts';
import { userAgentRole } from './user-agent.ts';
import { clientBffRole } from './client-bff.ts';
import { authorizationServerRole } from './authorization-server.ts';
import { resourceServerRole } from './resource-server.ts';

/** One scenario per role of the seed: what it does, holds and never sees. */
export const ROLE_SCENARIOS: readonly Scenario[] = [resourceOwnerRole, userAgentRole, clientBffRole, authorizationServerRole, resourceServerRole];
