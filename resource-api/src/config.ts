import { ConfigError, loadLabRunConfig, readInteger, resolveTopology } from '@lab/shared';
import type { LabRunConfig, LabTopology } from '@lab/shared';

type Env = Readonly<Record<string, string | undefined>>;

export interface ResourceApiConfig {
  /** Where the process binds. */
  readonly host: string;
  readonly port: number;
  /** The only `iss` this API trusts: the lab's authorization server. */
  readonly issuer: string;
  /** This API's own identifier: the `aud` a token must carry to be spent here (RFC 9068 §4). */
  readonly audience: string;
  /** Where the authorization server publishes its public signing keys. */
  readonly jwksUrl: string;
  /** The signature algorithms accepted, decided here and never read from the token (RFC 8725 §3.1). */
  readonly algorithms: readonly string[];
  /**
   * Seconds of clock difference tolerated on `exp` (`API_CLOCK_TOLERANCE`, default 1). Every party of
   * the lab runs on one clock (the lab's), so there is no skew to tolerate; the one second covers
   * `iat` and `exp` being whole seconds (a token issued at 100.9 s says `iat: 100`). Across
   * machines, a few seconds.
   */
  readonly clockToleranceSeconds: number;
  /**
   * The origins this API is reached at: its resource indicator's (what clients name) and the address
   * it binds (where the BFF calls it). A DPoP proof's `htu` must name one of them (RFC 9449 §4.3).
   */
  readonly origins: readonly string[];
  /** The DPoP proof algorithms accepted, advertised in the `DPoP algs="…"` challenge (RFC 9449 §7.1). */
  readonly dpopAlgorithms: readonly string[];
  readonly topology: LabTopology;
  /** The lab run: defences switched off at start-up (`LAB_WEAKEN`), control key, trace view. */
  readonly lab: LabRunConfig;
}

/**
 * Asymmetric algorithms only. `none` would accept unsigned tokens, and an HMAC algorithm (`HS256`)
 * with a *public* JWKS lets anyone who can read the public key forge tokens: the classic
 * algorithm-confusion attack (RFC 8725 §2.1 and §3.1).
 */
const SUPPORTED_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);
const DEFAULT_ALGORITHMS = 'RS256,PS256,ES256';

/** Reads and checks the resource API's settings once, at start-up; a bad value names its variable. */
export function loadConfig(env: Env): ResourceApiConfig {
  const topology = resolveTopology(env);
  const api = topology['resource-api'];
  const issuer = topology.authserver.url;
  return {
    host: api.host,
    port: api.port,
    issuer,
    audience: api.url,
    // oidc-provider serves its JWKS at `/jwks` (its default `routes.jwks`).
    jwksUrl: `${issuer}/jwks`,
    algorithms: readAlgorithms(env, 'API_ALGORITHMS'),
    clockToleranceSeconds: readInteger(env, 'API_CLOCK_TOLERANCE', 1, 0, 300),
    origins: [...new Set([new URL(api.url).origin, `http://${api.host.includes(':') ? `[${api.host}]` : api.host}:${api.port}`])],
    // oidc-provider's default `dPoPSigningAlgValues`: the algorithms the BFF's key may use.
    dpopAlgorithms: ['ES256', 'Ed25519', 'EdDSA'],
    topology,
    lab: loadLabRunConfig(env),
  };
}

function readAlgorithms(env: Env, variable: string): string[] {
  const raw = env[variable]?.trim() || DEFAULT_ALGORITHMS;
  const algorithms = [
    ...new Set(
      raw
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  for (const algorithm of algorithms) {
    if (!SUPPORTED_ALGORITHMS.has(algorithm)) {
      throw new ConfigError(variable, `"${algorithm}" is not an accepted signature algorithm; use some of ${[...SUPPORTED_ALGORITHMS].join(', ')}`);
    }
  }
  return algorithms;
}
