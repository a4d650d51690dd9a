import * as oauth from 'oauth4webapi';
import { BffError, type BffUser, type Note, type NoteList } from './bff-client.ts';
import type { AppClient } from './app-client.ts';
import type { LabState } from './lab-state.ts';
import { apiError, readJson, signedOut, toAppError } from './public-client-errors.ts';
import { MODE_KEY, clearTokens, readTokens, saveTokens, savePendingLogin, takePendingLogin } from './token-storage.ts';

/**
 * ANTI-PATTERN MODE: the SPA as a public OAuth client that holds its own tokens. This is what the
 * BFF pattern replaces; the lab runs it only to compare (`mode: public-client`). The protocol is
 * done right (Authorization Code + PKCE, `state`, `nonce`, `iss`, rotation, all with
 * oauth4webapi): what is wrong is where the tokens end up, in `localStorage`, readable by every
 * script on the page. Errors are `BffError`s, as in BFF mode (`public-client-errors.ts`).
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-browser-based-apps/ (§ "Browser-based OAuth 2.0 client")
 */

// Prerequisites: the client registered at the authorization server as `spa-public`, with no
// secret (RFC 6749 §2.1: code in a browser cannot keep one), and this redirect URI.
const CLIENT: oauth.Client = { client_id: 'spa-public' };
const CLIENT_AUTH = oauth.None();
const CALLBACK_PATH = '/spa-callback';
const SCOPE = 'openid profile email notes:read notes:write';
// The lab's authorization server and API speak plain http on loopback; a real one is https only.
const HTTP_OPTIONS = { [oauth.allowInsecureRequests]: true } as const;
/** Refresh a little before the access token expires, not on the second it does. */
const EXPIRY_MARGIN_MS = 5_000;

export function createPublicClient(lab: LabState): AppClient {
  localStorage.setItem(MODE_KEY, 'public-client');
  const issuer = new URL(lab.authserver);
  const redirectUri = `${location.origin}${CALLBACK_PATH}`;
  // RFC 8707: the token is for the notes API, asked for at both endpoints.
  const tokenRequestOptions = { ...HTTP_OPTIONS, additionalParameters: { resource: lab.api } };
  let metadata: Promise<oauth.AuthorizationServer> | undefined;
  let refreshing: Promise<string> | undefined;

  /** The authorization server's metadata (RFC 8414), fetched once per page load. */
  function discover(): Promise<oauth.AuthorizationServer> {
    metadata ??= oauth
      .discoveryRequest(issuer, HTTP_OPTIONS)
      .then((response) => oauth.processDiscoveryResponse(issuer, response))
      .catch((error: unknown) => {
        metadata = undefined; // ask again next time
        throw error;
      });
    return metadata;
  }

  // Step 1: the browser builds the authorization request itself, with PKCE (RFC 7636, S256),
  // `state` and `nonce`, and keeps the secrets of this login in sessionStorage until the callback.
  async function startLogin(returnTo: string): Promise<void> {
    const as = await discover().catch((error: unknown) => Promise.reject(toAppError(error, 'discovery')));
    if (!as.authorization_endpoint) throw new BffError(0, 'unexpected_response', 'The authorization server has no authorization_endpoint.');
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const login = { state: oauth.generateRandomState(), codeVerifier, nonce: oauth.generateRandomNonce(), returnTo };
    savePendingLogin(login);
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: CLIENT.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: SCOPE,
      resource: lab.api,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    }).toString();
    location.assign(url.href);
  }

  // Step 2 happens at the authorization server: the user signs in and consents.
  // Step 3: one eternity later, the browser lands back on /spa-callback?code=…&state=…&iss=…
  // and this page redeems the code at the token endpoint, from the browser (CORS).
  async function completeLogin(): Promise<void> {
    const callback = new URL(location.href);
    const login = takePendingLogin();
    // The code leaves the address bar and the history, whatever happens next.
    history.replaceState(null, '', localPath(login?.returnTo));
    if (!login) throw new BffError(400, 'login_not_started', 'No login was started in this tab: the callback is not ours to redeem.');
    try {
      const as = await discover();
      // Checks `state` against this login's and `iss` against the issuer (RFC 9207), then reads `code`.
      const params = oauth.validateAuthResponse(as, CLIENT, callback, login.state);
      const response = await oauth.authorizationCodeGrantRequest(as, CLIENT, CLIENT_AUTH, params, redirectUri, login.codeVerifier, tokenRequestOptions);
      const tokens = await oauth.processAuthorizationCodeResponse(as, CLIENT, response, { expectedNonce: login.nonce, requireIdToken: true });
      // Step 4, the anti-pattern itself: access, refresh and ID token into localStorage.
      saveTokens(tokens);
    } catch (error) {
      throw toAppError(error, 'the login');
    }
  }

  async function fetchUser(): Promise<BffUser | null> {
    if (location.pathname === CALLBACK_PATH) await completeLogin();
    const idToken = readTokens()?.idToken;
    // The ID token was validated when it arrived (processAuthorizationCodeResponse); here it is only read back.
    return idToken ? readClaims(idToken) : null;
  }

  /** The stored access token, refreshed first when it has expired. */
  async function currentAccessToken(): Promise<string> {
    const tokens = readTokens();
    if (!tokens) throw new BffError(401, 'not_authenticated', 'No access token in this browser: sign in.');
    if (Date.now() < tokens.expiresAt - EXPIRY_MARGIN_MS) return tokens.accessToken;
    return refresh();
  }

  // Step 5, later: the access token has expired; the refresh token buys a new one. One refresh at
  // a time: with rotation, two using the same refresh token would look like a theft (RFC 9700 §4.14.2).
  function refresh(): Promise<string> {
    refreshing ??= refreshOnce().finally(() => (refreshing = undefined));
    return refreshing;
  }

  async function refreshOnce(): Promise<string> {
    const refreshToken = readTokens()?.refreshToken;
    if (!refreshToken) return signedOut('The access token expired and there is no refresh token: sign in again.');
    try {
      const as = await discover();
      const response = await oauth.refreshTokenGrantRequest(as, CLIENT, CLIENT_AUTH, refreshToken, tokenRequestOptions);
      const tokens = await oauth.processRefreshTokenResponse(as, CLIENT, response);
      saveTokens(tokens); // the rotated refresh token replaces the old one
      return tokens.access_token;
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
        return signedOut(
          `The authorization server refused the refresh token (invalid_grant: ${error.error_description ?? 'revoked or expired'}): sign in again.`,
        );
      }
      throw toAppError(error, 'the refresh');
    }
  }

  // The notes API, called directly from the browser with `Authorization: Bearer` (RFC 6750 §2.1).
  async function callApi<T>(method: 'GET' | 'POST', path: string, json?: unknown): Promise<T> {
    let response = await sendToApi(method, path, json, await currentAccessToken());
    // RFC 6750 §3.1 `invalid_token`: the token expired sooner than expected, or was revoked. One refresh, one retry.
    if (response.status === 401) response = await sendToApi(method, path, json, await refresh());
    const body = await readJson(response);
    if (response.status === 401) return signedOut('The notes API refused the refreshed access token too: sign in again.');
    if (!response.ok) throw apiError(method, path, response, body);
    return body as T;
  }

  async function sendToApi(method: string, path: string, json: unknown, accessToken: string): Promise<Response> {
    const headers = new Headers({ Accept: 'application/json' });
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    try {
      return await oauth.protectedResourceRequest(
        accessToken,
        method,
        new URL(path, lab.api),
        headers,
        json === undefined ? null : JSON.stringify(json),
        HTTP_OPTIONS,
      );
    } catch (error) {
      // A 401 with a Bearer challenge arrives as an error; its response is still the answer.
      if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
      throw toAppError(error, `${method} ${path}`);
    }
  }

  // Signing out: forget the tokens, revoke the refresh token (RFC 7009), then end the session at
  // the authorization server (OpenID Connect RP-Initiated Logout), which sends the browser back here.
  async function logout(): Promise<{ logoutUrl?: string }> {
    const refreshToken = readTokens()?.refreshToken;
    clearTokens();
    const as = await discover().catch((error: unknown) => Promise.reject(toAppError(error, 'discovery')));
    if (refreshToken) {
      try {
        await oauth.processRevocationResponse(await oauth.revocationRequest(as, CLIENT, CLIENT_AUTH, refreshToken, HTTP_OPTIONS));
      } catch {
        // Best effort: the tokens are gone from this browser either way.
      }
    }
    if (!as.end_session_endpoint) return {};
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('client_id', CLIENT.client_id);
    url.searchParams.set('post_logout_redirect_uri', `${location.origin}/`);
    return { logoutUrl: url.href };
  }

  return {
    mode: 'public-client',
    fetchUser,
    startLogin,
    logout,
    listNotes: () => callApi<NoteList>('GET', '/notes'),
    addNote: async (text) => (await callApi<{ note: Note }>('POST', '/notes', { text })).note,
  };
}

/** The payload of a compact JWS, read without checking it (it was checked when it arrived). */
function readClaims(jwt: string): BffUser | null {
  try {
    const payload = jwt.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (char) => char.charCodeAt(0)))) as Record<string, unknown>;
    return typeof claims.sub === 'string' ? (claims as BffUser) : null;
  } catch {
    return null;
  }
}

/** Only a path on this origin, never `//evil.example` (the same rule as the BFF's `returnTo`). */
function localPath(path: string | undefined): string {
  return path?.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}
