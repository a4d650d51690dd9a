import type { DefenceName } from '@lab/shared';

/**
 * One mutation of one line of a defence's code: `find` (which must occur exactly once in `file`)
 * becomes `replace`. Each is a way to turn the defence off in code while its switch says "on".
 */
export interface Mutant {
  /** Kebab-case, for `--only`. */
  readonly id: string;
  readonly defence: DefenceName;
  /** A repository path. */
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  /**
   * `check`: the defence's check itself (the switch read, its condition, what it does when on).
   * Its attack scenario must fail against the mutant, or the mutation run fails.
   *
   * `layer`: a second layer of the same defence, which another check already covers for every
   * request a scenario (or an attacker) can make, or an equivalent mutant. It may survive the
   * scenarios; `why` says why, and `tests` names the unit tests that judge it instead.
   */
  readonly kind: 'check' | 'layer';
  /** For a `layer`: why the scenarios cannot see it. */
  readonly why?: string;
  /** For a `layer`: unit test files (vitest) run against the mutant when no scenario failed. */
  readonly tests?: readonly string[];
  /**
   * The scenarios that judge it. By default the defended runs of the attacks that exercise the
   * defence: those named after it, and those whose weakened twin switches it off.
   */
  readonly scenarios?: readonly string[];
}

export const MUTANTS: readonly Mutant[] = [
  // pkce: the authorization server requires it, the BFF sends it.
  {
    id: 'pkce-not-required',
    defence: 'pkce',
    file: 'authserver/src/provider.ts',
    find: "pkce: { required: () => defences.isOn('pkce') }",
    replace: 'pkce: { required: () => false }',
    kind: 'check',
  },
  {
    id: 'pkce-not-sent',
    defence: 'pkce',
    file: 'bff/src/oidc-client.ts',
    find: "if (this.#defences.isOn('pkce')) {",
    replace: 'if (false) {',
    kind: 'check',
  },

  // state: sent by the BFF, and the callback finds its login attempt by it.
  {
    id: 'state-not-checked',
    defence: 'state',
    file: 'bff/src/complete-login.ts',
    find: "if (defences.isOn('state')) {",
    replace: 'if (false) {',
    kind: 'check',
  },
  {
    id: 'state-not-sent',
    defence: 'state',
    file: 'bff/src/oidc-client.ts',
    find: "if (this.#defences.isOn('state')) parameters.state = state;",
    replace: 'if (false) parameters.state = state;',
    kind: 'check',
  },
  {
    id: 'state-single-use-dropped',
    defence: 'state',
    file: 'bff/src/complete-login.ts',
    find: ' || !(await attempts.claim(state))) return undefined;',
    replace: ') return undefined;',
    kind: 'layer',
    why: 'A state is spent (`attempts.forget`) as soon as its callback is taken; the claim matters only to two callbacks with one state racing each other, which no attack scenario stages.',
    tests: ['bff/test/complete-login.test.ts', 'bff/test/login-attempts.test.ts'],
  },
  {
    id: 'state-library-check-skipped',
    defence: 'state',
    file: 'bff/src/oidc-client.ts',
    find: "expectedState: this.#defences.isOn('state') ? expectedState : client.skipStateCheck,",
    replace: 'expectedState: client.skipStateCheck,',
    kind: 'layer',
    why: "Equivalent: with the defence on, the state openid-client is given is the one the callback carried, after `findAttempt` matched it to this browser's login attempt, so its comparison cannot fail.",
    tests: ['bff/test/oidc-client.test.ts', 'bff/test/complete-login.test.ts'],
  },

  // nonce
  {
    id: 'nonce-not-sent',
    defence: 'nonce',
    file: 'bff/src/oidc-client.ts',
    find: "if (this.#defences.isOn('nonce')) {",
    replace: 'if (false) {',
    kind: 'check',
  },

  // iss-check (RFC 9207)
  {
    id: 'iss-overwritten',
    defence: 'iss-check',
    file: 'bff/src/oidc-client.ts',
    find: "if (!this.#defences.isOn('iss-check')) {",
    replace: 'if (true) {',
    kind: 'check',
  },

  // csrf-header
  {
    id: 'csrf-header-not-required',
    defence: 'csrf-header',
    file: 'bff/src/middleware/require-csrf-header.ts',
    find: "if (defences.isOn('csrf-header') && ctx.get('X-CSRF') !== '1')",
    replace: "if (false && ctx.get('X-CSRF') !== '1')",
    kind: 'check',
  },
  {
    id: 'csrf-text-plain-as-json',
    defence: 'csrf-header',
    file: 'bff/src/routes/api-proxy.ts',
    find: "acceptJsonOnly(ctx, defences.isOn('csrf-header'));",
    replace: 'acceptJsonOnly(ctx, false);',
    kind: 'layer',
    why: 'The X-CSRF check runs first: a cross-site request never gets this far, and a same-site one sends JSON.',
    tests: ['bff/test/routes/bff-rules.test.ts'],
  },

  // cookie-httponly, cookie-samesite
  {
    id: 'cookie-not-httponly',
    defence: 'cookie-httponly',
    file: 'bff/src/session.ts',
    find: "options.httpOnly = defences.isOn('cookie-httponly');",
    replace: 'options.httpOnly = false;',
    kind: 'check',
  },
  {
    id: 'cookie-samesite-none',
    defence: 'cookie-samesite',
    file: 'bff/src/session.ts',
    find: "options.sameSite = defences.isOn('cookie-samesite') ? 'lax' : 'none';",
    replace: "options.sameSite = 'none';",
    kind: 'check',
  },

  // session-regeneration
  {
    id: 'session-not-regenerated',
    defence: 'session-regeneration',
    file: 'bff/src/complete-login.ts',
    find: "if (defences.isOn('session-regeneration')) await session.regenerate();",
    replace: 'if (false) await session.regenerate();',
    kind: 'check',
  },

  // return-to-validation: at /bff/login, again at the callback, and the rule itself (return-to.ts).
  {
    id: 'return-to-not-checked-at-login',
    defence: 'return-to-validation',
    file: 'bff/src/routes/auth.ts',
    find: "const returnTo = defences.isOn('return-to-validation') ? toLocalPath(requested, config.publicOrigin) : requested;",
    replace: 'const returnTo = requested;',
    kind: 'check',
  },
  {
    id: 'return-to-not-checked-at-callback',
    defence: 'return-to-validation',
    file: 'bff/src/routes/auth.ts',
    find: "const location = defences.isOn('return-to-validation') ? (toLocalPath(returnTo, config.publicOrigin) ?? '/') : returnTo;",
    replace: 'const location = returnTo;',
    kind: 'layer',
    why: 'The login already refused any returnTo that is not a local path, so what the callback finds in the login attempt is one; only a lab whose switch changes between the two requests could tell.',
    tests: ['bff/test/routes/bff-rules.test.ts'],
  },
  {
    id: 'return-to-double-slash-allowed',
    defence: 'return-to-validation',
    file: 'bff/src/return-to.ts',
    find: "value.startsWith('/') && !value.startsWith('//') && ",
    replace: "value.startsWith('/') && ",
    kind: 'layer',
    why: 'The origin comparison after resolving refuses `//host` for any other host; what changes is only `//localhost:5173/x`, which resolves to a path of the app.',
    tests: ['bff/test/return-to.test.ts'],
  },
  {
    id: 'return-to-backslash-allowed',
    defence: 'return-to-validation',
    file: 'bff/src/return-to.ts',
    find: String.raw`!/[\\\u0000-\u001f\u007f]/.test(value)`,
    replace: 'true',
    kind: 'layer',
    why: 'The URL parser reads `\\` as `/` and drops tabs and newlines, so `/\\host` and `/<tab>/host` resolve to another origin and the origin comparison refuses them.',
    tests: ['bff/test/return-to.test.ts'],
  },
  {
    id: 'return-to-origin-not-compared',
    defence: 'return-to-validation',
    file: 'bff/src/return-to.ts',
    find: 'if (url.origin !== appOrigin) return undefined;',
    replace: '',
    kind: 'layer',
    why: "Equivalent: a value that passes the reference check (one leading `/`, no `\\`, no control character) always resolves on the app's origin.",
    tests: ['bff/test/return-to.test.ts'],
  },

  // referrer-policy
  {
    id: 'referrer-policy-header-dropped',
    defence: 'referrer-policy',
    file: 'bff/src/routes/auth.ts',
    find: "if (defences.isOn('referrer-policy')) ctx.set('Referrer-Policy', 'no-referrer');",
    replace: '',
    kind: 'check',
  },
  {
    id: 'referrer-policy-page-rendered',
    defence: 'referrer-policy',
    file: 'bff/src/routes/auth.ts',
    find: "if (defences.isOn('referrer-policy')) {",
    replace: 'if (false) {',
    kind: 'check',
  },

  // proxy-allowlist
  {
    id: 'proxy-allowlist-off',
    defence: 'proxy-allowlist',
    file: 'bff/src/routes/api-proxy.ts',
    find: "resolveUpstreamUrl(ctx, config.apiUrl, apiOrigin, defences.isOn('proxy-allowlist'))",
    replace: 'resolveUpstreamUrl(ctx, config.apiUrl, apiOrigin, false)',
    kind: 'check',
  },
  {
    id: 'proxy-path-not-checked',
    defence: 'proxy-allowlist',
    file: 'bff/src/routes/api-proxy.ts',
    find: "if (!/^\\/[A-Za-z0-9/_-]*$/.test(rawPath) || rawPath.includes('//')) throw new InvalidApiPathError();",
    replace: '',
    kind: 'check',
  },
  {
    id: 'proxy-any-api-route',
    defence: 'proxy-allowlist',
    file: 'bff/src/routes/api-proxy.ts',
    find: 'if (url.origin !== apiOrigin || !allowed)',
    replace: 'if (url.origin !== apiOrigin)',
    kind: 'check',
  },
  {
    id: 'proxy-origin-not-compared',
    defence: 'proxy-allowlist',
    file: 'bff/src/routes/api-proxy.ts',
    find: 'if (url.origin !== apiOrigin || !allowed)',
    replace: 'if (!allowed)',
    kind: 'layer',
    why: "Equivalent: a path that passes the character check (one leading `/`, no `//`) always resolves on the API's origin.",
    tests: ['bff/test/routes/bff-rules.test.ts', 'bff/test/routes/api-proxy-upstream.test.ts'],
  },

  // api-audience, api-signature (resource API)
  {
    id: 'api-audience-off',
    defence: 'api-audience',
    file: 'resource-api/src/verify-access-token.ts',
    find: "const checkAudience = deps.defences.isOn('api-audience');",
    replace: 'const checkAudience = false;',
    kind: 'check',
  },
  {
    id: 'api-audience-not-passed',
    defence: 'api-audience',
    file: 'resource-api/src/verify-access-token.ts',
    find: 'audience: checkAudience ? deps.audience : undefined,',
    replace: 'audience: undefined,',
    kind: 'check',
  },
  {
    id: 'api-signature-off',
    defence: 'api-signature',
    file: 'resource-api/src/verify-access-token.ts',
    find: "const claims = deps.defences.isOn('api-signature')",
    replace: 'const claims = false',
    kind: 'check',
  },
  {
    id: 'api-algorithms-not-restricted',
    defence: 'api-signature',
    file: 'resource-api/src/verify-access-token.ts',
    find: 'algorithms: [...deps.algorithms],',
    replace: '',
    kind: 'layer',
    why: "jose never verifies `alg: none`, and the authorization server's RSA key verifies no HMAC algorithm: an altered or unsigned token is refused all the same.",
    tests: ['resource-api/test/verify-access-token.test.ts'],
  },
  {
    id: 'api-typ-not-checked',
    defence: 'api-signature',
    file: 'resource-api/src/verify-access-token.ts',
    find: "typ: 'at+jwt',",
    replace: '',
    kind: 'layer',
    why: 'The token that could pass for an access token, the ID token, is for the client (its `aud` is `bff`), so the audience check refuses it.',
    tests: ['resource-api/test/verify-access-token.test.ts'],
  },

  // refresh-rotation
  {
    id: 'refresh-not-rotated',
    defence: 'refresh-rotation',
    file: 'authserver/src/provider.ts',
    find: "rotateRefreshToken: () => defences.isOn('refresh-rotation'),",
    replace: 'rotateRefreshToken: () => false,',
    kind: 'check',
  },

  // dpop (RFC 9449): the resource API refuses a bound token without a proof of its key.
  {
    id: 'dpop-api-off',
    defence: 'dpop',
    file: 'resource-api/src/middleware/require-bearer-token.ts',
    find: 'const dpopAlgs = dpop?.isOn() ? dpop.algorithms : undefined;',
    replace: 'const dpopAlgs = undefined;',
    kind: 'check',
  },
  {
    id: 'dpop-bound-token-as-bearer',
    defence: 'dpop',
    file: 'resource-api/src/middleware/require-bearer-token.ts',
    find: "if (kind === 'Bearer' && boundTo !== undefined) {",
    replace: 'if (false) {',
    kind: 'check',
  },
  {
    id: 'dpop-any-key',
    defence: 'dpop',
    file: 'resource-api/src/verify-dpop-proof.ts',
    find: 'if (thumbprint !== boundTo) {',
    replace: 'if (false) {',
    kind: 'check',
  },
  {
    id: 'dpop-replay-unchecked',
    defence: 'dpop',
    file: 'resource-api/src/verify-dpop-proof.ts',
    find: 'if (!deps.seen.remember(',
    replace: 'if (false && !deps.seen.remember(',
    kind: 'check',
  },
  // frame-protection
  {
    id: 'framing-headers-off',
    defence: 'frame-protection',
    file: 'authserver/src/middleware/protect-from-framing.ts',
    find: "if (defences.isOn('frame-protection')) {",
    replace: 'if (false) {',
    kind: 'check',
  },
  {
    id: 'framing-x-frame-options-dropped',
    defence: 'frame-protection',
    file: 'authserver/src/middleware/protect-from-framing.ts',
    find: "ctx.set('X-Frame-Options', 'DENY');",
    replace: '',
    kind: 'check',
  },
  {
    id: 'framing-frame-ancestors-dropped',
    defence: 'frame-protection',
    file: 'authserver/src/middleware/protect-from-framing.ts',
    find: `ctx.set('Content-Security-Policy', "frame-ancestors 'none'; base-uri 'none'; object-src 'none'");`,
    replace: '',
    kind: 'check',
  },

  // spa-csp (the app's origin)
  {
    id: 'spa-csp-off',
    defence: 'spa-csp',
    file: 'spa/server/vite-config.ts',
    find: "contentSecurityPolicy: settings.defences.isOn('spa-csp'),",
    replace: 'contentSecurityPolicy: false,',
    kind: 'check',
  },
  {
    id: 'spa-csp-connect-anywhere',
    defence: 'spa-csp',
    file: 'spa/server/security-headers.ts',
    find: `['connect-src', "'self'", ...hmrSocket, ...connectTo],`,
    replace: `['connect-src', '*'],`,
    kind: 'check',
  },
  {
    id: 'spa-csp-images-anywhere',
    defence: 'spa-csp',
    file: 'spa/server/security-headers.ts',
    find: `['img-src', "'self'", 'data:'],`,
    replace: `['img-src', '*'],`,
    kind: 'layer',
    why: 'The XSS payload of the scenario reports with fetch(), which connect-src stops; no payload tries an image.',
    tests: ['spa/test/server/security-headers.test.ts'],
  },
  {
    id: 'spa-csp-scripts-anywhere',
    defence: 'spa-csp',
    file: 'spa/server/security-headers.ts',
    find: `['script-src', "'self'"],`,
    replace: `['script-src', '*', "'unsafe-inline'"],`,
    kind: 'layer',
    why: "The lab's XSS hook serves the payload as a module of the app's own origin (it stands in for a bug the CSP cannot see), so script-src has nothing to refuse in any scenario.",
    tests: ['spa/test/server/security-headers.test.ts'],
  },

  // bff-pattern: in BFF mode no browser gets tokens from the authorization server.
  {
    id: 'public-client-allowed',
    defence: 'bff-pattern',
    file: 'authserver/src/public-client-switch.ts',
    find: 'if (id === clientId && !isOn()) {',
    replace: 'if (false) {',
    kind: 'check',
  },
  {
    id: 'token-endpoint-cors-for-all',
    defence: 'bff-pattern',
    file: 'authserver/src/provider.ts',
    find: 'clientBasedCORS: (_ctx, origin, client) => client.clientId === publicClient.clientId && origin === publicClient.origin,',
    replace: 'clientBasedCORS: () => true,',
    kind: 'layer',
    why: "A browser's call to the token endpoint as the BFF's client fails client authentication anyway (401 invalid_client): the browser has no client secret.",
    tests: ['authserver/test/public-client.test.ts'],
  },
  {
    id: 'api-cors-in-bff-mode',
    defence: 'bff-pattern',
    file: 'resource-api/src/middleware/allow-spa-origin.ts',
    find: 'if (!settings.publicClient) return next();',
    replace: '',
    kind: 'layer',
    why: "With the BFF the browser holds no access token: letting the app's origin read the API's answers gives a script nothing it could not get through the BFF.",
    tests: ['resource-api/test/middleware/allow-spa-origin.test.ts'],
  },
];
