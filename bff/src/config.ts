import type { JWK } from 'jose';
import { readDpopJwk } from './dpop-key.ts';
import { randomBytes } from 'node:crypto';
import {
  bffInstancePorts,
  ConfigError,
  readBffInstances,
  readBffClientSecret,
  readBffInstanceName,
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

export interface BffConfig {
  readonly host: string;
  readonly port: number;
  /** The app's origin as the browser sees it (the SPA's dev server forwards /bff and /api here). */
  readonly publicOrigin: string;
  /** The registered redirect URI, on the app's origin. */
  readonly redirectUri: string;
  /** The seed variant's redirect URI: a page of the SPA, which hands the code to the BFF. */
  readonly seedRedirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** What the BFF asks for: OpenID scopes and the notes API's scopes. */
  readonly scope: string;
  /** RFC 8707 resource indicator of the notes API; also the origin the proxy forwards to. */
  readonly resource: string;
  readonly apiUrl: string;
  /** Keys that sign the session cookie (koa-session `signed: true`). */
  readonly sessionKeys: readonly string[];
  /** `BFF_SESSION_TTL`: the absolute lifetime of a signed-in session, from its sign-in. */
  readonly sessionTtlSeconds: number;
  /** `BFF_SESSION_IDLE`: a signed-in session not used for this long ends (no effect when longer than the TTL). */
  readonly sessionIdleSeconds: number;
  readonly topology: LabTopology;
  readonly lab: LabRunConfig;
  /** Where sessions and tokens live (`LAB_STORE`; Redis at `LAB_REDIS_URL`, set by the launcher). */
  readonly store: LabStore;
  /** This instance's name (`bff#2`) when several BFF processes serve the app (`LAB_BFF_INSTANCE`). */
  readonly instanceName: string | undefined;
  /** The other BFF instances serving the same app (their own URLs), when there are several. */
  readonly siblingUrls: readonly string[];
  /** A third party's tracking pixel, shown only by the weakened callback page (lab: the attacker's). */
  readonly analyticsPixelUrl: string;
  /** `BFF_DPOP_JWK`: the BFF's DPoP private key (a P-256 JWK in JSON), shared by its instances; made at start when unset (dpop-key.ts). */
  readonly dpopJwk: JWK | undefined;
}

export function loadConfig(env: Env): BffConfig {
  const topology = resolveTopology(env);
  const { bff, spa, authserver } = topology;
  const api = topology['resource-api'];
  const clientSecret = readBffClientSecret(env);
  return {
    host: bff.host,
    port: bff.port,
    publicOrigin: spa.url,
    redirectUri: `${spa.url}/bff/callback`,
    seedRedirectUri: `${spa.url}/callback`,
    postLogoutRedirectUri: `${spa.url}/`,
    issuer: authserver.url,
    clientId: env.BFF_CLIENT_ID || 'bff',
    clientSecret,
    scope: 'openid profile email notes:read notes:write',
    resource: api.url,
    apiUrl: `http://127.0.0.1:${api.port}`,
    sessionKeys: readSecret(env, 'BFF_SESSION_KEYS', () => randomBytes(32).toString('base64url'), 32).split(','),
    sessionTtlSeconds: readInteger(env, 'BFF_SESSION_TTL', 8 * 3600, 60, 7 * 86_400),
    sessionIdleSeconds: readInteger(env, 'BFF_SESSION_IDLE', 30 * 60, 60, 7 * 86_400),
    topology,
    lab: loadLabRunConfig(env),
    analyticsPixelUrl: `${topology.attacker.url}/pixel.gif?from=callback`,
    store: readStore(env),
    instanceName: readBffInstanceName(env),
    siblingUrls: readSiblingUrls(env, bff.port),
    dpopJwk: readDpopJwk(env.BFF_DPOP_JWK),
  };
}

/** `LAB_STORE=redis`: the launcher passes the run's Redis as `LAB_REDIS_URL`; a BFF started by hand may too. */
function readStore(env: Env): LabStore {
  const store = readLabStore(env);
  if (store.kind !== 'redis' || !env.LAB_REDIS_URL) return store;
  if (!/^redis:\/\/[^\s]+$/.test(env.LAB_REDIS_URL)) throw new ConfigError('LAB_REDIS_URL', 'expected redis://host:port');
  return { ...store, url: env.LAB_REDIS_URL };
}

/** Instance `i` of `n` listens on `BFF_PORT` (its own, given by the launcher); the first on that minus `i - 1`. */
function readSiblingUrls(env: Env, ownPort: number): string[] {
  const count = readBffInstances(env);
  if (count === 1) return [];
  const index = Number(env.LAB_BFF_INSTANCE ?? '1');
  return bffInstancePorts(ownPort - (index - 1), count)
    .filter((port) => port !== ownPort)
    .map((port) => `http://127.0.0.1:${port}`);
}
