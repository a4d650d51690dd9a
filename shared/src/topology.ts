import { ConfigError, readInteger } from './config-error.ts';

/**
 * Where each party of the lab lives. One function computes it from the environment, so that every
 * service agrees on every URL (the redirect URI, the issuer, the token audience...).
 *
 * The hosts are fixed on purpose, as in the lab contract:
 * - the app (SPA + BFF) is on `localhost`,
 * - the authorization server on `127.0.0.1`: another *site*, as a real identity provider is,
 * - the attacker on `[::1]`: a third site, cross-site to both.
 */
export type ServiceName = 'authserver' | 'resource-api' | 'bff' | 'spa' | 'attacker';

export interface ServiceLocation {
  readonly name: ServiceName;
  /** The origin browsers and other services use, e.g. `http://localhost:3000`. */
  readonly url: string;
  /** Where the process binds. */
  readonly host: string;
  readonly port: number;
  /** The environment variable that changes the port. */
  readonly portVariable: string;
  /** The part the service plays, in the terms of OAuth 2.0. */
  readonly role: string;
}

export type LabTopology = Readonly<Record<ServiceName, ServiceLocation>>;

const SERVICES: ReadonlyArray<{
  name: ServiceName;
  portVariable: string;
  defaultPort: number;
  hostname: string;
  bindHost: string;
  role: string;
}> = [
  {
    name: 'spa',
    portVariable: 'SPA_PORT',
    defaultPort: 5173,
    hostname: 'localhost',
    bindHost: '127.0.0.1',
    role: "Client's front end (Lit app), loaded in the User Agent",
  },
  {
    name: 'bff',
    portVariable: 'BFF_PORT',
    defaultPort: 3000,
    hostname: 'localhost',
    bindHost: '127.0.0.1',
    role: 'Client: confidential, holds the client secret and all tokens',
  },
  {
    name: 'resource-api',
    portVariable: 'API_PORT',
    defaultPort: 4001,
    hostname: 'localhost',
    bindHost: '127.0.0.1',
    role: 'Resource Server: validates access tokens, serves notes',
  },
  {
    name: 'authserver',
    portVariable: 'AUTHSERVER_PORT',
    defaultPort: 4000,
    hostname: '127.0.0.1',
    bindHost: '127.0.0.1',
    role: 'Authorization Server: signs users in, issues tokens',
  },
  {
    name: 'attacker',
    portVariable: 'ATTACKER_PORT',
    defaultPort: 6660,
    hostname: '[::1]',
    bindHost: '::1',
    role: 'Attacker: a third site, for the theft scenarios',
  },
];

export function resolveTopology(env: Readonly<Record<string, string | undefined>>): LabTopology {
  const entries = SERVICES.map((service) => {
    const port = readInteger(env, service.portVariable, service.defaultPort, 1, 65535);
    const location: ServiceLocation = {
      name: service.name,
      url: `http://${service.hostname}:${port}`,
      host: service.bindHost,
      port,
      portVariable: service.portVariable,
      role: service.role,
    };
    return [service.name, location] as const;
  });
  const ports = new Map<number, string>();
  for (const [, location] of entries) {
    const other = ports.get(location.port);
    if (other) throw new ConfigError(location.portVariable, `port ${location.port} is already given to ${other}`);
    ports.set(location.port, location.name);
  }
  return Object.fromEntries(entries) as Record<ServiceName, ServiceLocation>;
}

/** Which party of the lab a URL belongs to, for the trace (anything unknown is the attacker's). */
export function partyOfUrl(topology: LabTopology, url: URL): 'spa' | 'bff' | 'authserver' | 'resource-api' | 'attacker' {
  const byPort = Object.values(topology).find((location) => location.port === Number(url.port || 80));
  if (!byPort) return 'attacker';
  // The BFF is reached through the app origin; calls to it on its own port are the BFF too.
  return byPort.name;
}

/**
 * The BFF's session cookie (HttpOnly, SameSite=Lax, signed: `bff_session` and `bff_session.sig`),
 * the one credential the browser holds in the recommended pattern.
 */
export const BFF_SESSION_COOKIE = 'bff_session';
