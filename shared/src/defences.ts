import { ConfigError } from './config-error.ts';

/**
 * The defences the lab can switch off, one at a time, to show what each one stops.
 * A switched-off defence is "weakened"; the lab says so loudly (start-up table, SPA banner).
 */
export const DEFENCES = {
  pkce: { service: 'authserver', what: 'PKCE (S256) required on every authorization request and checked at the token endpoint' },
  state: { service: 'bff', what: 'the BFF checks `state` on the callback against the login attempt it started' },
  nonce: { service: 'bff', what: 'the BFF checks the ID token `nonce` against the login attempt it started' },
  'iss-check': { service: 'bff', what: 'the BFF checks the `iss` of the authorization response (RFC 9207, mix-up defence)' },
  'csrf-header': { service: 'bff', what: 'the BFF requires `X-CSRF: 1` on /bff/* JSON endpoints and /api/*' },
  'cookie-httponly': { service: 'bff', what: 'the session cookie is HttpOnly: page scripts cannot read it' },
  'cookie-samesite': { service: 'bff', what: 'the session cookie is SameSite=Lax: not sent on cross-site subrequests' },
  'session-regeneration': { service: 'bff', what: 'the BFF issues a new session id after login (session fixation defence)' },
  'return-to-validation': { service: 'bff', what: '`returnTo` accepts only a local path (open redirect defence)' },
  'refresh-rotation': { service: 'authserver', what: 'refresh tokens are rotated on every use; reuse revokes the grant' },
  'api-audience': { service: 'resource-api', what: 'the API accepts only tokens whose `aud` is the API' },
  'api-signature': { service: 'resource-api', what: 'the API checks the token signature against the JWKS, with an algorithm allow-list' },
  'proxy-allowlist': { service: 'bff', what: "the BFF forwards /api/* only to the resource API's allow-listed routes" },
  'referrer-policy': { service: 'bff', what: 'the callback answers with `Referrer-Policy: no-referrer`' },
  'frame-protection': { service: 'authserver', what: 'login and consent pages refuse to be framed (CSP frame-ancestors, X-Frame-Options)' },
  // Read by three services: the authorization server binds the BFF's tokens to its key, the BFF proves
  // possession on every call, the API refuses a bound token without a proof (RFC 9449).
  dpop: {
    service: 'resource-api',
    what: "access tokens are sender-constrained (DPoP, RFC 9449): bound to the BFF's key, refused by the API without a fresh proof of it",
  },
  'spa-csp': { service: 'spa', what: 'a Content-Security-Policy on the SPA limits where scripts load from and data goes' },
  // The pattern itself. Weakening it means the anti-pattern mode (LAB_MODE=public-client): the attacks on it
  // (XSS token theft) use it as their weakened twin. LAB_WEAKEN=bff-pattern starts the lab in that mode.
  'bff-pattern': { service: 'bff', what: 'tokens stay in the BFF; the browser holds only an opaque HttpOnly cookie' },
} as const;

export type DefenceName = keyof typeof DEFENCES;

export const DEFENCE_NAMES = Object.keys(DEFENCES) as DefenceName[];

export function isDefenceName(value: string): value is DefenceName {
  return Object.hasOwn(DEFENCES, value);
}

/** Parses a comma-separated list such as `LAB_WEAKEN=pkce,state`; an unknown name is an error. */
export function parseDefenceList(raw: string | undefined, variable = 'LAB_WEAKEN'): DefenceName[] {
  if (raw === undefined || raw.trim() === '') return [];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!isDefenceName(name)) {
      throw new ConfigError(variable, `unknown defence "${name}"; known: ${DEFENCE_NAMES.join(', ')}`);
    }
  }
  return [...new Set(names)] as DefenceName[];
}

/**
 * The defences in force in one service. Mutable at run time (by the lab's control endpoint) so that
 * a scenario can weaken one defence for one run and restore it afterwards.
 */
export class DefenceSwitches {
  #weakened: Set<DefenceName>;

  constructor(weakened: Iterable<DefenceName> = []) {
    this.#weakened = new Set(weakened);
  }

  isOn(name: DefenceName): boolean {
    return !this.#weakened.has(name);
  }

  weakened(): DefenceName[] {
    return DEFENCE_NAMES.filter((name) => this.#weakened.has(name));
  }

  set(weakened: Iterable<DefenceName>): void {
    this.#weakened = new Set(weakened);
  }
}
