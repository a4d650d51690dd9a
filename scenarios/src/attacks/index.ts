import type { Scenario } from '../engine/scenario.ts';
import { openRedirect, openRedirectWeakened } from './open-redirect.ts';
import { sessionFixation, sessionFixationWeakened } from './session-fixation.ts';
import { csrf, csrfWeakened } from './csrf.ts';
import { proxyTokenLeak, proxyTokenLeakWeakened } from './proxy-token-leak.ts';
import { refererCodeLeak, refererCodeLeakWeakened } from './referer-code-leak.ts';
import { clickjacking, clickjackingWeakened } from './clickjacking.ts';
import { codeInterception, codeInterceptionWeakened } from './code-interception.ts';
import { codeInjection, codeInjectionWeakened } from './code-injection.ts';
import { redirectUriManipulation } from './redirect-uri-manipulation.ts';
import { mixUp, mixUpWeakened } from './mix-up.ts';
import { pkceDowngrade, pkceDowngradeWeakened } from './pkce-downgrade.ts';
import { refreshReplay, refreshReplayWeakened } from './refresh-replay.ts';
import { apiTokenTampering, apiTokenTamperingWeakened } from './api-token-tampering.ts';
import { wrongAudience, wrongAudienceWeakened } from './wrong-audience.ts';
import { xssTokenTheft, xssTokenTheftWeakened } from './xss-token-theft.ts';
import { xssNewTokens, xssNewTokensWeakened } from './xss-new-tokens.ts';
import { xssProxy, xssProxyWeakened } from './xss-proxy.ts';
import { stolenCookie, stolenCookieWeakened } from './stolen-cookie.ts';
import { persistentTheft, persistentTheftWeakened } from './persistent-theft.ts';
import { stolenAccessToken, stolenAccessTokenWeakened } from './stolen-access-token.ts';

/** The token-theft attempts, each against the lab as built and with its defence off. */
export const ATTACK_SCENARIOS: readonly Scenario[] = [
  openRedirect,
  openRedirectWeakened,
  sessionFixation,
  sessionFixationWeakened,
  csrf,
  csrfWeakened,
  proxyTokenLeak,
  proxyTokenLeakWeakened,
  refererCodeLeak,
  refererCodeLeakWeakened,
  clickjacking,
  clickjackingWeakened,
  codeInterception,
  codeInterceptionWeakened,
  codeInjection,
  codeInjectionWeakened,
  redirectUriManipulation,
  mixUp,
  mixUpWeakened,
  pkceDowngrade,
  pkceDowngradeWeakened,
  refreshReplay,
  refreshReplayWeakened,
  apiTokenTampering,
  apiTokenTamperingWeakened,
  wrongAudience,
  wrongAudienceWeakened,
  xssTokenTheft,
  xssTokenTheftWeakened,
  xssNewTokens,
  xssNewTokensWeakened,
  xssProxy,
  xssProxyWeakened,
  stolenCookie,
  stolenCookieWeakened,
  persistentTheft,
  persistentTheftWeakened,
  stolenAccessToken,
  stolenAccessTokenWeakened,
];
