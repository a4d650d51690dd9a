import { DefenceSwitches, type LabMode, type XssPayloadName } from '@lab/shared';
import type { SpaConfig } from './config.ts';

/**
 * The SPA server's run-time settings. The lab's control routes (`PUT /_lab/settings`) change them,
 * and every part of the server reads them per request: the next page load sees the change.
 */
export interface SpaSettings {
  /** The defences in force; the SPA server's own is `spa-csp`. */
  readonly defences: DefenceSwitches;
  /**
   * LAB ONLY, a stand-in for an XSS bug: the attacker's payload that every page of the app loads,
   * or `null` for none (the default). See `xss-hook-plugin.ts`.
   */
  xss: XssPayloadName | null;
  /** How the app gets its tokens: through the BFF, or as a public client holding them itself. */
  mode: LabMode;
}

/** The settings a run starts with: from `LAB_WEAKEN` and `LAB_MODE`; the XSS hook is always off at start. */
export function createSpaSettings(config: SpaConfig): SpaSettings {
  return { defences: new DefenceSwitches(config.lab.weakened), xss: null, mode: config.lab.mode };
}
