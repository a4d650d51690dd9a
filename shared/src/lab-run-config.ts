import { parseDefenceList, type DefenceName } from './defences.ts';
import { readFlag } from './config-error.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What every service reads about the lab run it belongs to. */
export interface LabRunConfig {
  /** Defences switched off for this run (`LAB_WEAKEN=pkce,state`). */
  readonly weakened: readonly DefenceName[];
  /** Key for the `/_lab/*` control routes; no key, no control routes. */
  readonly controlKey: string | undefined;
  /** Record secrets unshortened in the trace (`LAB_XRAY_FULL=on`): for an instructor's screen only. */
  readonly fullView: boolean;
}

export function loadLabRunConfig(env: Env): LabRunConfig {
  return {
    weakened: parseDefenceList(env.LAB_WEAKEN),
    controlKey: env.LAB_CONTROL_KEY || undefined,
    fullView: readFlag(env, 'LAB_XRAY_FULL', false),
  };
}
