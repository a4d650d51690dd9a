import type { AddressInfo } from 'node:net';
import { createServer, preview } from 'vite';
import { buildApp } from '../../../server/build-app.ts';
import { loadConfig, type SpaConfig, type SpaServe } from '../../../server/config.ts';
import { createSpaSettings, type SpaSettings } from '../../../server/lab-settings.ts';
import { APP_DEFINE, SPA_ROOT, createViteConfig } from '../../../server/vite-config.ts';

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
 * Starts the real SPA server (with all the lab's plugins) on port 0: Vite's dev server by default
 * (the element tests load `spa/src` modules from it), or the preview server with the built app as
 * the lab serves it by default (`serve: 'built'`; the build is the lab's own cached one). `env` is
 * what `main.ts` would read: `LAB_CONTROL_KEY`, `LAB_MODE`, `LAB_WEAKEN`, the ports of the topology.
 */
export async function startTestSpa(env: Record<string, string | undefined> = { LAB_CONTROL_KEY: TEST_LAB_KEY }, serve: SpaServe = 'dev'): Promise<TestSpa> {
  const config = loadConfig({ SPA_PORT: '15997', ...env });
  const settings = createSpaSettings(config);
  if (serve === 'built') {
    const app = await buildApp(SPA_ROOT, APP_DEFINE);
    const viteConfig = createViteConfig(config, { settings, logLevel: 'silent', outDir: app.dir });
    const server = await preview({ ...viteConfig, preview: { ...viteConfig.preview, port: 0 } });
    return { url: `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`, config, settings, close: () => server.close() };
  }
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
