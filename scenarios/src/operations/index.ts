import type { Scenario } from '../engine/scenario.ts';
import { bffRestart } from './bff-restart.ts';
import { authserverRestart } from './authserver-restart.ts';
import { refreshAcrossInstances } from './refresh-across-instances.ts';
import { redisDown } from './redis-down.ts';

/** The production shape (Redis, several BFF instances): they run only in that set-up. */
export const OPS_SCENARIOS: readonly Scenario[] = [bffRestart, authserverRestart, refreshAcrossInstances, redisDown];
