import type { Plugin } from 'vite';
import { onEveryServer } from './on-every-server.ts';

/**
 * Adds the security headers to every response Vite serves itself: the page, its modules, `/healthz`.
 * `headersNow` is asked on each request, so a defence switched at run time applies to the next page load.
 *
 * Responses forwarded from the BFF (`passThroughPrefixes`) are left exactly as the BFF wrote them:
 * the BFF sets its own headers (e.g. `Referrer-Policy: no-referrer` on the callback), and a lab
 * that weakens one of the BFF's defences must see the BFF's headers, not ours laid over them.
 */
export function securityHeadersPlugin(headersNow: () => Readonly<Record<string, string>>, passThroughPrefixes: readonly string[]): Plugin {
  return onEveryServer('lab:security-headers', (server) => {
    // Registered directly (not returned), so it runs before Vite's own middlewares and its proxy.
    server.middlewares.use(function addSecurityHeaders(req, res, next) {
      const url = req.url ?? '/';
      if (!passThroughPrefixes.some((prefix) => url.startsWith(prefix))) {
        for (const [name, value] of Object.entries(headersNow())) res.setHeader(name, value);
        // The page's headers change at run time (the CSP when `spa-csp` is switched), while its
        // body may not. A 304 would let the browser keep the cached page with its old headers
        // (a header missing from a 304 is not removed): the page is always sent in full.
        if (req.headers.accept?.includes('text/html')) delete req.headers['if-none-match'];
      }
      next();
    });
  });
}
