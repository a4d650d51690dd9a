/**
 * What the app's server says about this lab run (`GET /lab/state.json`): the mode, the defences
 * switched off, whether the XSS hook is on. Read once per page load; the page shows it in its
 * banner and picks its client (`app-client.ts`) from the mode.
 */

export type LabMode = 'bff' | 'public-client';

export interface LabState {
  readonly mode: LabMode;
  /** Each defence switched off, with its one-line description. */
  readonly weakened: ReadonlyArray<{ readonly name: string; readonly what: string }>;
  /** An attacker's script is injected into the page (the lab's XSS hook). */
  readonly xss: boolean;
  /** The authorization server's issuer, e.g. `http://127.0.0.1:4000`. */
  readonly authserver: string;
  /** The resource API, e.g. `http://localhost:4001`: its URL and its resource indicator (RFC 8707). */
  readonly api: string;
}

let loading: Promise<LabState> | undefined;

/** The lab's state for this page load (one request, shared by everyone who asks). */
export function loadLabState(): Promise<LabState> {
  loading ??= fetchLabState();
  return loading;
}

async function fetchLabState(): Promise<LabState> {
  const response = await fetch('/lab/state.json', { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /lab/state.json answered ${response.status}`);
  const body = (await response.json()) as Partial<LabState>;
  if (
    (body.mode !== 'bff' && body.mode !== 'public-client') ||
    !Array.isArray(body.weakened) ||
    typeof body.authserver !== 'string' ||
    typeof body.api !== 'string'
  ) {
    throw new Error('GET /lab/state.json answered an unexpected body');
  }
  return body as LabState;
}
