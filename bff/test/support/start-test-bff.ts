import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefenceSwitches, type DefenceName } from '@lab/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { MemorySessionStore, type SessionStore } from '../../src/session-store.ts';
import { MemoryTokenStore, type TokenStore } from '../../src/token-store.ts';

/**
 * The real BFF on an ephemeral port, configured for the default lab topology. By default its
 * authorization server is not running (port 1): those tests cover what the BFF decides on its own,
 * before any back-channel call. `env` overrides the configuration: a test with a real authorization
 * server passes that server's environment (its port, the client secret) so that both agree.
 */
export async function startTestBff(weakened: DefenceName[] = [], env: Readonly<Record<string, string>> = {}, port = 0) {
  return startTestBffWith({ store: new MemorySessionStore(), tokenStore: new MemoryTokenStore() }, weakened, env, port);
}

/** The same, with other session and token stores (Redis, or a store that counts its writes). */
export async function startTestBffWith<S extends SessionStore, T extends TokenStore>(
  { store, tokenStore }: { readonly store: S; readonly tokenStore: T },
  weakened: DefenceName[] = [],
  env: Readonly<Record<string, string>> = {},
  port = 0,
) {
  const config = loadConfig({ BFF_CLIENT_SECRET: 'x'.repeat(32), BFF_SESSION_KEYS: 'k'.repeat(32), AUTHSERVER_PORT: '1', API_PORT: '2', ...env });
  const defences = new DefenceSwitches(weakened);
  const logs: string[] = [];
  const app = createApp(config, { store, tokenStore, defences, log: (line) => logs.push(line) });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    defences,
    logs,
    store,
    tokenStore,
    sessionKey: config.sessionKeys[0]!,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
