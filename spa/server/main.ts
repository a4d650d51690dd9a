/**
 * Starts the app's origin: the Lit app, built once and served by Vite's preview server (or, with
 * `LAB_SPA_SERVE=dev`, Vite's dev server), forwarding `/bff/*` and `/api/*` to the BFF. The only
 * file of the SPA service that reads the environment.
 *
 *   node --import tsx spa/server/main.ts
 */
import { createServer, preview } from 'vite';
import { buildApp } from './build-app.ts';
import { loadConfig } from './config.ts';
import { createSpaSettings } from './lab-settings.ts';
import { APP_DEFINE, SPA_ROOT, createViteConfig } from './vite-config.ts';

// A rejection nothing handled (a dependency's bug on a hostile request) is one line in the log;
// it must not end the app's origin for everyone.
process.on('unhandledRejection', (reason) => {
  console.error(`spa: unhandled rejection: ${reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)}`);
});

try {
  const config = loadConfig(process.env);
  const settings = createSpaSettings(config);
  let server: { close(): Promise<void> };
  if (config.serve === 'built') {
    const startedAt = performance.now();
    const app = await buildApp(SPA_ROOT, APP_DEFINE);
    if (app.built) console.log(`spa: built the app into ${app.dir} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (once per version of spa/src)`);
    server = await preview(createViteConfig(config, { settings, outDir: app.dir }));
    console.log(`spa listening on ${config.topology.spa.url} (the built app; LAB_SPA_SERVE=dev serves spa/src with hot reload)`);
  } else {
    const devServer = await createServer(createViteConfig(config, { settings }));
    await devServer.listen();
    server = devServer;
    console.log(`spa listening on ${config.topology.spa.url} (Vite's dev server, hot reload)`);
  }
  if (!settings.defences.isOn('spa-csp')) console.warn('spa: defence spa-csp is WEAKENED: pages are served without a Content-Security-Policy');
  if (settings.mode === 'public-client') console.warn('spa: ANTI-PATTERN MODE (LAB_MODE=public-client): the app keeps tokens in localStorage');

  const shutDown = (): void => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`spa: error while shutting down: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
} catch (error) {
  // A bad variable or a taken port: one clear line, and a non-zero exit (lab contract).
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`spa: cannot start: ${reason}`);
  process.exit(1);
}
