import { DEFENCES, type LabMode, type LabTopology } from '@lab/shared';
import type { Plugin } from 'vite';
import { onEveryServer } from './on-every-server.ts';
import type { SpaSettings } from './lab-settings.ts';
import { pathOf, sendJson } from './http-json.ts';

/**
 * `GET /lab/state.json`: what the app needs to know about this lab run, for its banner and its
 * mode. No key: the page reads it at load. It holds no secret: nothing here is not already shown
 * on the page (the banner says what is off, the URLs are where the browser goes anyway).
 */
export interface LabStateBody {
  readonly mode: LabMode;
  /** The defences switched off, each with its one-line description (the browser cannot import `@lab/shared`). */
  readonly weakened: ReadonlyArray<{ readonly name: string; readonly what: string }>;
  /** Whether the lab's XSS hook injects an attacker's script into the page (which one is not said). */
  readonly xss: boolean;
  /** The authorization server's issuer; the app talks to it itself in `public-client` mode only. */
  readonly authserver: string;
  /** The resource API (its resource indicator); called directly in `public-client` mode only. */
  readonly api: string;
}

export function describeLabState(settings: SpaSettings, topology: LabTopology): LabStateBody {
  return {
    mode: settings.mode,
    weakened: settings.defences.weakened().map((name) => ({ name, what: DEFENCES[name].what })),
    xss: settings.xss !== null,
    authserver: topology.authserver.url,
    api: topology['resource-api'].url,
  };
}

export function labStatePlugin(settings: SpaSettings, topology: LabTopology): Plugin {
  return onEveryServer('lab:state', (server) => {
    server.middlewares.use(function answerLabState(req, res, next) {
      if (pathOf(req) !== '/lab/state.json') return next();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} /lab/state.json is not supported; use GET.` });
      }
      // Read per request, never cached: a setting switched at run time shows on the next page load.
      sendJson(res, 200, describeLabState(settings, topology));
    });
  });
}
