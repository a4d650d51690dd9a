import type { AddressInfo } from 'node:net';
import { createServer } from 'vite';
import { loadConfig, type SpaConfig } from '../../../server/config.ts';
import { createSpaSettings, type SpaSettings } from '../../../server/lab-settings.ts';
import { createViteConfig } from '../../../server/vite-config.ts';

export interface TestSpa {
  /** e.g. `http://127.0.0.1:39517`: an ephemeral port, never the lab's 5173. */
  readonly url: string;
  readonly config: SpaConfig;
  readonly settings: SpaSettings;
  close(): Promise<void>;
}

/** The control key the test servers are given, unless a test says otherwise. */
export const TEST_LAB_KEY = 'test-lab-key-0123456789';

/**
 * Starts the real SPA server (Vite in dev mode, with all the lab's plugins) on port 0. `env` is
 * what `main.ts` would read: `LAB_CONTROL_KEY`, `LAB_MODE`, `LAB_WEAKEN`, the ports of the topology.
 */
export async function startTestSpa(env: Record<string, string | undefined> = { LAB_CONTROL_KEY: TEST_LAB_KEY }): Promise<TestSpa> {
  const config = loadConfig({ SPA_PORT: '15997', ...env });
  const settings = createSpaSettings(config);
  const viteConfig = createViteConfig(config, { settings, logLevel: 'silent' });
  const server = await createServer({ ...viteConfig, server: { ...viteConfig.server, port: 0, watch: null } });
  await server.listen();
  return {
    url: `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`,
    config,
    settings,
    close: () => server.close(),
  };
}

/** A call to the control routes with the run's key. */
export function callLab(spa: TestSpa, method: 'GET' | 'PUT', path: string, body?: unknown, key = TEST_LAB_KEY): Promise<Response> {
  return fetch(`${spa.url}/_lab${path}`, {
    method,
    headers: { 'X-Lab-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}
