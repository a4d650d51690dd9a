import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  readBffClientSecret,
  readLabStore,
  loadLabRunConfig,
  readInteger,
  readSecret,
  resolveTopology,
  type LabRunConfig,
  type LabStore,
  type LabTopology,
} from '@lab/shared';

type Env = Readonly<Record<string, string | undefined>>;

export interface AuthServerConfig {
  readonly host: string;
  readonly port: number;
  /** The issuer identifier: `iss` of every token and of every authorization response (RFC 9207). */
  readonly issuer: string;
  /** The BFF, registered as a confidential client. */
  readonly bffClient: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly redirectUri: string;
    /** The seed's variant sends the code to the SPA instead; accepted only while the lab runs that flow. */
    readonly seedRedirectUri: string;
    readonly postLogoutRedirectUri: string;
    /**
     * OpenID Connect Back-Channel Logout 1.0 §2.2: where this server posts a logout token when the
     * user's session here ends. The BFF itself, on loopback: a server-to-server call.
     */
    readonly backchannelLogoutUri: string;
  };
  /**
   * The anti-pattern's client: the SPA as a public client (RFC 6749 §2.1, no secret), usable only
   * while the lab runs in `public-client` mode (`LAB_MODE`, or the `publicClient` setting).
   */
  readonly publicClient: {
    readonly clientId: string;
    readonly redirectUri: string;
    readonly postLogoutRedirectUri: string;
    /** The one origin allowed to call the token endpoint from a browser for it (CORS). */
    readonly origin: string;
  };
  /** The resource indicator (RFC 8707) of the notes API, used as the access tokens' `aud`. */
  readonly resourceIndicator: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /**
   * Lifetime of a user's session here (`ttl.Session`): single sign-on while it lives. oidc-provider
   * saves the session again, with a fresh lifetime, at every visit (an authorization request, a sign-in).
   */
  readonly sessionTtlSeconds: number;
  /**
   * Of each kind of entry a caller without credentials can make this server keep (a sign-in in
   * progress, storage/anonymous-entries.ts), at most this many at once; past it, 429.
   */
  readonly maxAnonymousEntries: number;
  /** Keys that sign the authorization server's own cookies (sessions, interactions). */
  readonly cookieKeys: readonly string[];
  /** A private JWK (JSON) to sign tokens with; when absent one is generated at start. */
  readonly signingJwk: Record<string, unknown> | undefined;
  readonly topology: LabTopology;
  readonly lab: LabRunConfig;
  /** Where grants, sessions and tokens live (`LAB_STORE`; Redis at `LAB_REDIS_URL`, set by the launcher). */
  readonly store: LabStore;
}

export function loadConfig(env: Env): AuthServerConfig {
  const topology = resolveTopology(env);
  const { authserver, spa } = topology;
  const clientSecret = readBffClientSecret(env);
  return {
    host: authserver.host,
    port: authserver.port,
    issuer: authserver.url,
    bffClient: {
      clientId: env.BFF_CLIENT_ID || 'bff',
      clientSecret,
      redirectUri: `${spa.url}/bff/callback`,
      seedRedirectUri: `${spa.url}/callback`,
      postLogoutRedirectUri: `${spa.url}/`,
      backchannelLogoutUri: `http://${topology.bff.host}:${topology.bff.port}/bff/backchannel-logout`,
    },
    publicClient: {
      clientId: 'spa-public',
      redirectUri: `${spa.url}/spa-callback`,
      postLogoutRedirectUri: `${spa.url}/`,
      origin: spa.url,
    },
    resourceIndicator: topology['resource-api'].url,
    accessTokenTtlSeconds: readInteger(env, 'ACCESS_TOKEN_TTL', 300, 1, 86_400),
    refreshTokenTtlSeconds: readInteger(env, 'REFRESH_TOKEN_TTL', 8 * 3600, 60, 30 * 86_400),
    sessionTtlSeconds: 8 * 3600,
    maxAnonymousEntries: readInteger(env, 'AUTHSERVER_MAX_ANONYMOUS_ENTRIES', 10_000, 1, 1_000_000),
    cookieKeys: readSecret(env, 'AUTHSERVER_COOKIE_KEYS', () => randomBytes(32).toString('base64url'), 32).split(','),
    signingJwk: parseSigningJwk(env.AUTHSERVER_SIGNING_JWK),
    topology,
    lab: loadLabRunConfig(env),
    store: readStore(env),
  };
}

function readStore(env: Env): LabStore {
  const store = readLabStore(env);
  if (store.kind !== 'redis' || !env.LAB_REDIS_URL) return store;
  if (!/^redis:\/\/\S+$/.test(env.LAB_REDIS_URL)) throw new ConfigError('LAB_REDIS_URL', 'expected redis://host:port');
  return { ...store, url: env.LAB_REDIS_URL };
}

function parseSigningJwk(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const jwk = JSON.parse(raw) as Record<string, unknown>;
    if (typeof jwk.kty !== 'string' || typeof jwk.d !== 'string') throw new Error('not a private JWK');
    return jwk;
  } catch {
    throw new ConfigError('AUTHSERVER_SIGNING_JWK', 'must be a private JWK in JSON (with "kty" and "d")');
  }
}
