import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefenceSwitches } from '@lab/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { generateSigningJwk } from '../../src/signing-key.ts';
import type { MemoryStorage } from '../../src/storage/memory-storage.ts';

export const BFF_CLIENT_SECRET = 's'.repeat(40);

export interface RunningAuthServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** The real authorization server (the lab's configuration) on a free port. */
export async function startAuthServer(storage?: MemoryStorage, env: Record<string, string> = {}): Promise<RunningAuthServer> {
  const config = loadConfig({ BFF_CLIENT_SECRET, ...env });
  const app = createApp(config, {
    signingJwk: await generateSigningJwk(),
    defences: new DefenceSwitches(),
    ...(storage ? { storage } : {}),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface IssuerAuthServer extends RunningAuthServer {
  /**
   * The environment the authorization server was configured with, its port included: give it to
   * a client's `loadConfig` (the BFF's) so that both agree on the issuer, the client secret and
   * the redirect URI, as the lab's services do.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Stops answering on the issuer's port (connections refused), keeping every grant and key. */
  goDown(): Promise<void>;
  /** Answers again on the same port, with the same state: the same server, back from an outage. */
  comeBack(): Promise<void>;
}

/**
 * The real authorization server on a free port that is also its issuer's port. A client that
 * runs OpenID Connect Discovery against it (openid-client) checks that the `issuer` of the
 * metadata is the URL it asked: with `startAuthServer` the issuer names the configured port
 * (4000), not the one it listens on. The port is taken first, then the configuration is built for it.
 */
export async function startAuthServerAsIssuer(
  env: Record<string, string> = {},
  deps: { defences?: DefenceSwitches; storage?: MemoryStorage; signingJwk?: Record<string, unknown> } = {},
): Promise<IssuerAuthServer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fullEnv = { BFF_CLIENT_SECRET, ...env, AUTHSERVER_PORT: String(port) };
  const config = loadConfig(fullEnv);
  const app = createApp(config, {
    signingJwk: deps.signingJwk ?? (await generateSigningJwk()),
    defences: deps.defences ?? new DefenceSwitches(),
    ...(deps.storage ? { storage: deps.storage } : {}),
  });
  server.on('request', app.callback());
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: config.issuer,
    env: fullEnv,
    stop: close,
    goDown: close,
    comeBack: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
  };
}
