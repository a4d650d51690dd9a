import type { Scenario } from '../engine/scenario.ts';
import { openRedirect, openRedirectWeakened } from './open-redirect.ts';
import { sessionFixation, sessionFixationWeakened } from './session-fixation.ts';
import { csrf, csrfWeakened } from './csrf.ts';
import { proxyTokenLeak, proxyTokenLeakWeakened } from './proxy-token-leak.ts';

/** The token-theft attempts, each against the lab as built and with its defence off. */
export const ATTACK_SCENARIOS: readonly Scenario[] = [openRedirect, openRedirectWeakened, sessionFixation, sessionFixationWeakened, csrf, csrfWeakened, proxyTokenLeak, proxyTokenLeakWeakened];
