import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { discardRestOfBody } from '@lab/kit';
import { DEMO_USERS } from '@lab/shared';
import type { InlineConfig, LogLevel, ProxyOptions } from 'vite';
import type { SpaConfig } from './config.ts';
import { healthzPlugin } from './healthz-plugin.ts';
import { labControlPlugin } from './lab-control-plugin.ts';
import type { SpaSettings } from './lab-settings.ts';
import { labStatePlugin } from './lab-state-plugin.ts';
import { createOneLineLogger } from './one-line-logger.ts';
import { refuseUpgradesPlugin } from './refuse-upgrades-plugin.ts';
import { refuseMalformedTargetsPlugin } from './refuse-malformed-targets-plugin.ts';
import { securityHeadersPlugin } from './security-headers-plugin.ts';
import { buildSecurityHeaders } from './security-headers.ts';
import { BffBalancer, mayTryAnotherInstance } from './bff-balancer.ts';
import { xssHookPlugin } from './xss-hook-plugin.ts';

/**
 * `spa/`: where `index.html` is. Found through the package, not this file's folder: the launcher
 * runs this code from a build under `.lab/build/`, the tests from source.
 */
export const SPA_ROOT = dirname(fileURLToPath(import.meta.resolve('@lab/spa/package.json')));

/**
 * The paths the app's origin forwards to the BFF, so that the app and the BFF are one origin, as
 * behind a production reverse proxy: the session cookie is first-party and host-only on the app's host.
 */
export const BFF_PREFIXES = ['/bff/', '/api/'] as const;

export interface SpaDependencies {
  /**
   * The run-time settings (defences, mode, XSS hook), read on every request: the SPA reads
   * `spa-csp` and the mode for each response's CSP.
   */
  readonly settings: SpaSettings;
  /** Vite's log level (`info` by default; tests pass `silent`). */
  readonly logLevel?: LogLevel;
  /** Where the built app is (`buildApp`), when the preview server serves it; unused by the dev server. */
  readonly outDir?: string;
}

/** The values the app's code is built with: the browser cannot import `@lab/shared` (its entry also exports Node-only modules). */
export const APP_DEFINE: Readonly<Record<string, string>> = {
  __LAB_DEMO_USERS__: JSON.stringify(DEMO_USERS.map(({ username, password, part }) => ({ username, password, part }))),
};

/**
 * The whole Vite configuration, in one place. `main.ts` passes it to `createServer`; with
 * `configFile: false` no `vite.config.ts` is read, and only `main.ts` reads the environment.
 */
export function createViteConfig(config: SpaConfig, { settings, logLevel = 'info', outDir }: SpaDependencies): InlineConfig {
  const { topology } = config;
  const toBff = new Agent({ keepAlive: true, maxSockets: 256 });
  const balancer = new BffBalancer(config.bffTargets.length > 0 ? config.bffTargets : [config.bffTarget]);
  const headersNow = () =>
    buildSecurityHeaders({
      appUrl: topology.spa.url,
      authserverUrl: topology.authserver.url,
      contentSecurityPolicy: settings.defences.isOn('spa-csp'),
      connectTo: settings.mode === 'public-client' ? [topology.authserver.url, topology['resource-api'].url] : [],
      hotReload: !outDir,
    });
  const origin = {
    host: topology.spa.host,
    port: topology.spa.port,
    strictPort: true,
    // Vite answers CORS for any loopback origin by default, the attacker's `[::1]` site included,
    // which would let another site read the app's modules and the BFF's answers. Same origin only.
    cors: false,
    proxy: Object.fromEntries(BFF_PREFIXES.map((prefix) => [prefix, forwardToBff(balancer, toBff)])),
  };
  return {
    configFile: false,
    root: SPA_ROOT,
    appType: 'spa',
    clearScreen: false,
    logLevel,
    customLogger: createOneLineLogger(logLevel),
    plugins: [
      refuseUpgradesPlugin(),
      securityHeadersPlugin(headersNow, BFF_PREFIXES),
      refuseMalformedTargetsPlugin(BFF_PREFIXES, [...BFF_PREFIXES, '/_lab/']),
      healthzPlugin(),
      labControlPlugin(config.lab.controlKey, settings),
      labStatePlugin(settings, topology),
      xssHookPlugin(settings, topology.attacker.url),
    ],
    define: { ...APP_DEFINE },
    // The dev server (`LAB_SPA_SERVE=dev`) and the preview server that serves the built app listen
    // and forward alike.
    server: origin,
    preview: origin,
    ...(outDir ? { build: { outDir } } : {}),
  };
}

/** Which instance a request went to, and which it tried already (several instances only). */
const ROUTE = Symbol('bff-route');
type Routed = IncomingMessage & { [ROUTE]?: { target: string; tried: Set<string> } };

function forwardToBff(balancer: BffBalancer, agent: Agent): ProxyOptions {
  const [first] = balancer.targets;
  return {
    target: first,
    // Kept-alive connections to the BFF, as a production reverse proxy keeps them: without an
    // agent the proxy opens a new connection for every request and sends `Connection: close`.
    agent,
    // Keep `Host: localhost:5173` and the browser's `Origin`: the BFF sees the app's origin, as a
    // real reverse proxy shows it. `Set-Cookie` passes through unchanged (no cookie domain rewrite).
    changeOrigin: false,
    xfwd: true,
    configure(proxy) {
      if (balancer.targets.length > 1) {
        // Each request goes to the next instance that is up (bff-balancer.ts): the target is chosen
        // per call of the proxy, which takes per-request options over the configured ones. A failed
        // attempt comes back to the callback, not as an 'error' event: it may be tried on another
        // instance; only the last failure goes on to the error handlers below (the 502).
        type Forward = (req: IncomingMessage, res: ServerResponse, options: { target: string }, callback: (error: Error) => void) => void;
        const forward = proxy.web.bind(proxy) as unknown as Forward;
        const send = (req: Routed, res: ServerResponse): void => {
          const route = req[ROUTE] ?? { target: '', tried: new Set<string>() };
          const target = balancer.pick(route.tried) ?? first ?? '';
          route.target = target;
          route.tried.add(target);
          req[ROUTE] = route;
          forward(req, res, { target }, (error) => {
            // Refused: that instance is not listening (stopped, crashed); skip it until its health check answers.
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH') balancer.markDown(target);
            const another = route.tried.size < balancer.targets.length && !res.headersSent && mayTryAnotherInstance(error as NodeJS.ErrnoException, req);
            if (another) send(req, res);
            else proxy.emit('error', error, req, res);
          });
        };
        (proxy as unknown as { web: typeof send }).web = send;
      }
      // Vite's own handler logs the failure and answers an empty 502; answer first, in the lab's JSON error format.
      proxy.on('error', (_error, req, res) => {
        if (!('writeHead' in res)) return;
        const response = res as ServerResponse;
        if (response.headersSent || response.writableEnded) return;
        // The head now (Vite's handler then sees it sent), the body once the rest of the request
        // body is read: the BFF may have gone away mid-upload, and closing with unread bytes
        // would reset the 502 away before the browser reads it (RFC 9112 §9.6).
        const target = (req as Routed)[ROUTE]?.target ?? first;
        const body = JSON.stringify({ error: 'bff_unreachable', message: `The app's server could not reach the BFF at ${target}. Is it running?` });
        response.writeHead(502, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          'Cache-Control': 'no-store',
          Connection: 'close',
        });
        void discardRestOfBody(req).then(() => response.end(body));
      });
    },
  };
}
