import type { TokenEndpointResponse } from 'oauth4webapi';

/**
 * Where the public client keeps its tokens: `localStorage`. THIS IS THE ANTI-PATTERN the BFF
 * replaces, written down here on purpose so the lab can show what it costs. Every script running
 * on the app's origin can read these entries (the storage panel shows them, the lab's XSS payloads
 * send them away); they outlive the tab; a stolen refresh token keeps working elsewhere.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-browser-based-apps/ (§ "Token Storage in the Browser")
 */
export const TOKEN_KEYS = {
  accessToken: 'lab.access_token',
  refreshToken: 'lab.refresh_token',
  idToken: 'lab.id_token',
  /** When the access token expires (epoch milliseconds, from `expires_in`). */
  expiresAt: 'lab.access_token_expires_at',
} as const;

/** Read by the attacker's payloads to pick the client to impersonate (`spa-public` or `bff`). */
export const MODE_KEY = 'lab.mode';

export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  readonly expiresAt: number;
}

export function readTokens(): StoredTokens | undefined {
  const accessToken = localStorage.getItem(TOKEN_KEYS.accessToken);
  if (!accessToken) return undefined;
  return {
    accessToken,
    refreshToken: localStorage.getItem(TOKEN_KEYS.refreshToken) ?? undefined,
    idToken: localStorage.getItem(TOKEN_KEYS.idToken) ?? undefined,
    expiresAt: Number(localStorage.getItem(TOKEN_KEYS.expiresAt) ?? 0),
  };
}

/**
 * Saves a token response. A refresh response may come without a new refresh token (rotation
 * off) or ID token: the ones kept so far stay. With rotation on, the new refresh token replaces
 * the old one, which the authorization server no longer accepts (RFC 9700 §4.14.2).
 */
export function saveTokens(response: TokenEndpointResponse): void {
  localStorage.setItem(TOKEN_KEYS.accessToken, response.access_token);
  localStorage.setItem(TOKEN_KEYS.expiresAt, String(Date.now() + (response.expires_in ?? 0) * 1000));
  if (response.refresh_token) localStorage.setItem(TOKEN_KEYS.refreshToken, response.refresh_token);
  if (response.id_token) localStorage.setItem(TOKEN_KEYS.idToken, response.id_token);
}

export function clearTokens(): void {
  for (const key of Object.values(TOKEN_KEYS)) localStorage.removeItem(key);
}

/** The login in progress, between the redirect to the authorization server and the callback. */
export interface PendingLogin {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  /** Where to go after the callback: a local path. */
  readonly returnTo: string;
}

/** In `sessionStorage`: one tab, gone when it closes, and no use after the callback. */
const LOGIN_KEYS = {
  state: 'lab.login.state',
  codeVerifier: 'lab.login.code_verifier',
  nonce: 'lab.login.nonce',
  returnTo: 'lab.login.return_to',
} as const;

export function savePendingLogin(login: PendingLogin): void {
  for (const [member, key] of Object.entries(LOGIN_KEYS)) sessionStorage.setItem(key, login[member as keyof PendingLogin]);
}

/** Reads the login in progress and forgets it: a callback is handled once. */
export function takePendingLogin(): PendingLogin | undefined {
  const [state, codeVerifier, nonce, returnTo] = [LOGIN_KEYS.state, LOGIN_KEYS.codeVerifier, LOGIN_KEYS.nonce, LOGIN_KEYS.returnTo].map((key) => {
    const value = sessionStorage.getItem(key);
    sessionStorage.removeItem(key);
    return value;
  });
  if (!state || !codeVerifier || !nonce) return undefined;
  return { state, codeVerifier, nonce, returnTo: returnTo ?? '/' };
}
