import type { TargetName } from './hostile-case.ts';

/** What a route needs to get past its first check, so that hostile input reaches the code behind it. */
export type RouteAuth =
  /** The BFF's session cookie and `X-CSRF: 1` (when the case is signed in). */
  | 'session'
  /** `Authorization: Bearer <access token>` at the resource API. */
  | 'bearer'
  /** A live interaction's path and cookie at the authorization server. */
  | 'interaction'
  /** HTTP Basic client authentication at the authorization server (a made-up client secret). */
  | 'basic'
  /** The lab's control key, on read-only control routes. */
  | 'lab-key'
  | 'none';

export interface Route {
  readonly method: string;
  /** May hold `{{uid}}`. */
  readonly path: string;
  /** A well-formed query the route expects (without `?`), to which hostile parts are added. */
  readonly query?: string;
  readonly auth: RouteAuth;
  readonly body?: { readonly type: string; readonly text: string };
}

const NOTE = { type: 'application/json', text: '{"text":"hostile-input probe"}' };

/** The BFF's routes, reached directly or through the app's origin. */
const BFF_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/bff/user', auth: 'session' },
  { method: 'GET', path: '/bff/login', query: 'returnTo=%2Fnotes', auth: 'none' },
  { method: 'GET', path: '/bff/callback', query: 'code=abc&state=def&iss=http%3A%2F%2F127.0.0.1', auth: 'session' },
  { method: 'POST', path: '/bff/logout', auth: 'session' },
  { method: 'GET', path: '/api/notes', auth: 'session' },
  { method: 'GET', path: '/api/notes', auth: 'session' },
  { method: 'POST', path: '/api/notes', auth: 'session', body: NOTE },
  { method: 'POST', path: '/api/notes', auth: 'session', body: NOTE },
  { method: 'POST', path: '/bff/code', auth: 'session', body: { type: 'application/json', text: '{"code":"abc","state":"def"}' } },
  { method: 'GET', path: '/bff/xray/state', auth: 'session' },
  { method: 'GET', path: '/healthz', auth: 'none' },
  { method: 'GET', path: '/_lab/trace', query: 'after=0', auth: 'lab-key' },
];

/** The app's own files, served by Vite. */
const SPA_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/', auth: 'none' },
  { method: 'GET', path: '/index.html', auth: 'none' },
  { method: 'GET', path: '/src/lab-app.ts', auth: 'none' },
  { method: 'GET', path: '/@vite/client', auth: 'none' },
  { method: 'GET', path: '/src/page.css', query: 'direct', auth: 'none' },
];

const API_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/notes', auth: 'bearer' },
  { method: 'GET', path: '/notes', auth: 'bearer' },
  { method: 'POST', path: '/notes', auth: 'bearer', body: NOTE },
  { method: 'POST', path: '/notes', auth: 'bearer', body: NOTE },
  { method: 'OPTIONS', path: '/notes', auth: 'none' },
  { method: 'GET', path: '/healthz', auth: 'none' },
  { method: 'GET', path: '/_lab/trace', query: 'after=0', auth: 'lab-key' },
];

/** The authorization request the BFF sends, minus PKCE and state (hostile parts are added to it). */
const AUTHORIZE_QUERY =
  'client_id=bff&response_type=code&scope=openid%20profile%20notes%3Aread&redirect_uri={{redirectUri}}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s';

const AUTHSERVER_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/.well-known/openid-configuration', auth: 'none' },
  { method: 'GET', path: '/jwks', auth: 'none' },
  { method: 'GET', path: '/auth', query: AUTHORIZE_QUERY, auth: 'none' },
  { method: 'GET', path: '/auth', query: AUTHORIZE_QUERY, auth: 'none' },
  {
    method: 'POST',
    path: '/token',
    auth: 'basic',
    body: { type: 'application/x-www-form-urlencoded', text: 'grant_type=authorization_code&code=abc&redirect_uri=x&code_verifier=y' },
  },
  { method: 'POST', path: '/token', auth: 'basic', body: { type: 'application/x-www-form-urlencoded', text: 'grant_type=refresh_token&refresh_token=abc' } },
  {
    method: 'POST',
    path: '/token/revocation',
    auth: 'basic',
    body: { type: 'application/x-www-form-urlencoded', text: 'token=abc&token_type_hint=refresh_token' },
  },
  { method: 'POST', path: '/request', auth: 'basic', body: { type: 'application/x-www-form-urlencoded', text: AUTHORIZE_QUERY } },
  { method: 'GET', path: '/me', auth: 'none' },
  { method: 'GET', path: '/session/end', auth: 'none' },
  { method: 'POST', path: '/session/end/confirm', auth: 'none', body: { type: 'application/x-www-form-urlencoded', text: 'xsrf=abc&logout=yes' } },
  { method: 'GET', path: '/interaction/{{uid}}', auth: 'interaction' },
  {
    method: 'POST',
    path: '/interaction/{{uid}}/login',
    auth: 'interaction',
    body: { type: 'application/x-www-form-urlencoded', text: 'username=bob&password=not-bobs-password' },
  },
  { method: 'POST', path: '/interaction/{{uid}}/confirm', auth: 'interaction', body: { type: 'application/x-www-form-urlencoded', text: '' } },
  { method: 'GET', path: '/healthz', auth: 'none' },
];

/** The routes of each target: where hostile input is aimed so that it gets past routing and auth. */
export function routesOf(target: TargetName): readonly Route[] {
  switch (target) {
    case 'spa':
      return [...BFF_ROUTES, ...SPA_ROUTES];
    case 'bff':
      return BFF_ROUTES;
    case 'resource-api':
      return API_ROUTES;
    case 'authserver':
      return AUTHSERVER_ROUTES;
  }
}
