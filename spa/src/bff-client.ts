/**
 * The only module of the app that talks HTTP. Every call goes to the app's own origin, where the
 * BFF answers `/bff/*` and forwards `/api/*` to the resource API with the access token it keeps.
 * The browser sends the HttpOnly session cookie; this code never sees a token.
 *
 * Every call sends `X-CSRF: 1`. A cross-site form or `<img>` cannot add a custom header, and a
 * cross-site `fetch` that adds one needs a CORS preflight, which the app's origin never grants:
 * so the BFF knows the request comes from the app's own scripts.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-browser-based-apps/ (the Backend For Frontend pattern)
 */

/** The signed-in user's ID token claims, as `GET /bff/user` returns them. */
export interface BffUser {
  readonly sub: string;
  readonly name?: string;
  readonly preferred_username?: string;
  readonly email?: string;
  readonly [claim: string]: unknown;
}

export interface Note {
  readonly id: string;
  readonly owner: string;
  readonly text: string;
  readonly createdAt: string;
}

export interface NoteList {
  /** Whose notes these are: the `sub` the resource API read from the access token. */
  readonly owner: string;
  readonly notes: readonly Note[];
}

/** A failed call, from the lab's JSON error format `{ "error": "<stable_code>", "message": "<for humans>" }`. */
export class BffError extends Error {
  override readonly name = 'BffError';

  constructor(
    /** The HTTP status; 0 when no answer came at all. */
    readonly status: number,
    /** The stable `error` code, e.g. `not_authenticated`, `csrf_header_missing`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Asks the BFF who is signed in.
 * @returns the user's claims, or `null` when no one is (401: the BFF has no session for this browser).
 */
export async function fetchUser(): Promise<BffUser | null> {
  if (location.pathname === SEED_CALLBACK_PATH) await handOverCode();
  try {
    const body = await callBff<Record<string, unknown>>('GET', '/bff/user');
    // Claims at the top level, or under `claims` next to other session facts: both are accepted.
    const claims = isObject(body.claims) ? body.claims : body;
    if (typeof claims.sub !== 'string') throw new BffError(200, 'unexpected_response', 'GET /bff/user answered without a `sub` claim.');
    return claims as BffUser;
  } catch (error) {
    if (error instanceof BffError && error.status === 401) return null;
    throw error;
  }
}

/** The seed variant's redirect URI: a page of this app (the recommended flow uses /bff/callback). */
const SEED_CALLBACK_PATH = '/callback';

/**
 * The seed text's variant of the flow: the authorization server sent the browser here, to the
 * SPA, with `code`, `state` and `iss` in the URL. This page script (and any other script on the
 * page) can read the code; it hands it to the BFF, which redeems it with its secret and PKCE verifier.
 */
async function handOverCode(): Promise<void> {
  const response = Object.fromEntries(new URLSearchParams(location.search));
  // Out of the address bar and the history at once, before anything else runs.
  history.replaceState(null, '', '/');
  const { returnTo } = await callBff<{ returnTo: string }>('POST', '/bff/code', response);
  history.replaceState(null, '', returnTo);
}

/**
 * Sign-in is a full-page navigation, not a fetch: the browser must follow the BFF's redirect to the
 * authorization server, show its login page, and come back to `/bff/callback`.
 * @param returnTo where the BFF sends the browser after the callback; a local path.
 */
export function startLogin(returnTo: string): void {
  location.assign(`/bff/login?returnTo=${encodeURIComponent(returnTo)}`);
}

/**
 * Ends the BFF session. The answer may carry the authorization server's logout URL (OpenID Connect
 * RP-Initiated Logout), where the browser must go to end the session there too.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 */
export async function logout(): Promise<{ logoutUrl?: string }> {
  const body = await callBff<Record<string, unknown> | undefined>('POST', '/bff/logout');
  const logoutUrl = body?.logoutUrl;
  if (typeof logoutUrl !== 'string' || logoutUrl === '') return {};
  const url = new URL(logoutUrl, location.href);
  // Never navigate to a `javascript:` or `data:` URL, whoever sent it.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BffError(200, 'unexpected_response', `POST /bff/logout answered a logoutUrl that is not http(s): ${url.protocol}`);
  }
  return { logoutUrl: url.href };
}

/** The signed-in user's notes, from the resource API through the BFF. */
export async function listNotes(): Promise<NoteList> {
  return callBff<NoteList>('GET', '/api/notes');
}

/** Adds a note for the signed-in user. */
export async function addNote(text: string): Promise<Note> {
  const body = await callBff<{ note: Note }>('POST', '/api/notes', { text });
  return body.note;
}

async function callBff<T>(method: 'GET' | 'POST', path: string, json?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-CSRF': '1', Accept: 'application/json' };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  } catch (error) {
    throw new BffError(0, 'network_error', `${method} ${path} got no answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = await readJson(response);
  if (!response.ok) throw toBffError(method, path, response, body);
  return body as T;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toBffError(method: string, path: string, response: Response, body: unknown): BffError {
  if (isObject(body) && typeof body.error === 'string') {
    const message = typeof body.message === 'string' ? body.message : `${method} ${path} failed with ${response.status}.`;
    return new BffError(response.status, body.error, message);
  }
  return new BffError(
    response.status,
    'unexpected_response',
    `${method} ${path} answered ${response.status} ${response.statusText} without a JSON error body.`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
