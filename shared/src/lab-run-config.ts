import { parseDefenceList, type DefenceName } from './defences.ts';
import { ConfigError, readFlag } from './config-error.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * How the app's front end gets its tokens in this run:
 * - `bff`: the recommended pattern. The BFF is the OAuth client and keeps every token; the browser
 *   holds an HttpOnly session cookie only.
 * - `public-client`: the anti-pattern the BFF replaces, for comparison. The SPA is itself a public
 *   OAuth client (`spa-public`), runs the flow in the browser and keeps the tokens in `localStorage`,
 *   where any script on the page, an injected one included, can read them.
 */
export const LAB_MODES = ['bff', 'public-client'] as const;
export type LabMode = (typeof LAB_MODES)[number];

export function isLabMode(value: unknown): value is LabMode {
  return typeof value === 'string' && (LAB_MODES as readonly string[]).includes(value);
}

/**
 * Where the authorization server sends the code back:
 * - `recommended`: straight to the BFF's callback (`/bff/callback`); the code never meets page scripts.
 * - `seed`: the seed text's variant: to the SPA (`/callback`), whose script posts the code to the
 *   BFF (`POST /bff/code`), which redeems it. PKCE and state still bind it to this login.
 */
export const LAB_FLOWS = ['recommended', 'seed'] as const;
export type LabFlow = (typeof LAB_FLOWS)[number];

export function isLabFlow(value: unknown): value is LabFlow {
  return typeof value === 'string' && (LAB_FLOWS as readonly string[]).includes(value);
}

/** The header that carries the run's control key (`LAB_CONTROL_KEY`) to the `/_lab/*` routes. */
export const LAB_KEY_HEADER = 'x-lab-key';

/** What every service reads about the lab run it belongs to. */
export interface LabRunConfig {
  /** Defences switched off for this run (`LAB_WEAKEN=pkce,state`). */
  readonly weakened: readonly DefenceName[];
  /** Key for the `/_lab/*` control routes; no key, no control routes. */
  readonly controlKey: string | undefined;
  /** Record secrets unshortened in the trace (`LAB_XRAY_FULL=on`): for an instructor's screen only. */
  readonly fullView: boolean;
  /** The mode the run starts in (`LAB_MODE`, default `bff`); the control routes can switch it. */
  readonly mode: LabMode;
  /** The flow the run starts with (`LAB_FLOW`, default `recommended`); the control routes can switch it. */
  readonly flow: LabFlow;
  /** The X-ray's routes on the BFF, `/bff/xray/*` (`LAB_XRAY`, on unless set to off). */
  readonly xray: boolean;
}

export function loadLabRunConfig(env: Env): LabRunConfig {
  const weakened = parseDefenceList(env.LAB_WEAKEN);
  return {
    weakened,
    controlKey: env.LAB_CONTROL_KEY || undefined,
    fullView: readFlag(env, 'LAB_XRAY_FULL', false),
    mode: readLabMode(env, weakened),
    flow: readLabFlow(env),
    xray: readFlag(env, 'LAB_XRAY', true),
  };
}

/** `LAB_WEAKEN=bff-pattern` is another way to say `LAB_MODE=public-client`: the pattern switched off is the anti-pattern. */
function readLabMode(env: Env, weakened: readonly DefenceName[]): LabMode {
  const raw = env.LAB_MODE?.trim();
  const patternOff = weakened.includes('bff-pattern');
  if (raw === undefined || raw === '') return patternOff ? 'public-client' : 'bff';
  if (!isLabMode(raw)) throw new ConfigError('LAB_MODE', `expected ${LAB_MODES.join(' or ')}, got "${raw}"`);
  if (patternOff && raw === 'bff') {
    throw new ConfigError('LAB_MODE', 'LAB_WEAKEN=bff-pattern runs the anti-pattern mode (public-client), but LAB_MODE says bff: drop one of the two');
  }
  return raw;
}

function readLabFlow(env: Env): LabFlow {
  const raw = env.LAB_FLOW?.trim();
  if (raw === undefined || raw === '') return 'recommended';
  if (!isLabFlow(raw)) throw new ConfigError('LAB_FLOW', `expected ${LAB_FLOWS.join(' or ')}, got "${raw}"`);
  return raw;
}
