import type { AddressInfo } from 'node:net';
import { DefenceSwitches, TraceRecorder } from '@lab/shared';
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
    recorder: new TraceRecorder('authserver'),
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
