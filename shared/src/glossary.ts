/**
 * What the lab says about each protocol parameter, claim and header it shows: one text, used by
 * the scenario narration and by the X-ray in the browser (browser-safe: no Node imports;
 * `@lab/shared/glossary`).
 */

/** One line per protocol parameter (query, form body, JSON member). */
export const PARAMETER_GLOSSARY: Readonly<Record<string, string>> = {
  response_type: 'which flow: "code" is the Authorization Code flow (RFC 6749 §4.1)',
  client_id: 'which registered client asks (here the BFF)',
  redirect_uri: 'where the code goes back to; must match the registered URI exactly',
  scope: 'what is asked: OpenID scopes and the notes API scopes',
  resource: 'which API the access token will be for: its audience (RFC 8707)',
  state: "ties the answer to this browser's login attempt (CSRF defence, RFC 6749 §10.12)",
  nonce: 'ties the ID token to this login attempt (OpenID Connect Core §3.1.2.1)',
  code_challenge: 'hash of the secret code_verifier the BFF keeps (PKCE, RFC 7636)',
  code_challenge_method: 'S256: the challenge is SHA-256 of the verifier',
  code: 'the authorization code: one use, short-lived, worthless without the verifier and the client secret',
  iss: 'who issued this answer: checked against the expected issuer (RFC 9207, mix-up defence)',
  grant_type: 'what is exchanged at the token endpoint',
  code_verifier: 'the PKCE secret: proves the redeemer started this login',
  refresh_token: 'the long-lived token that buys new access tokens',
  client_secret: "the confidential client's password",
  post_logout_redirect_uri: 'where to return after sign-out; must be registered',
  returnTo: 'where the BFF sends the browser after login; a local path only',
  prompt: 'asks the authorization server to show a page (login, consent) or none',
  error: 'an OAuth error code',
  error_description: 'the error explained for humans',
  access_token: 'the token the API accepts: whoever holds it can call the API until it expires',
  id_token: 'who signed in, for the client (OpenID Connect Core §2); not for calling APIs',
  token_type: '"Bearer": whoever presents it may use it (RFC 6750)',
  expires_in: 'seconds until the access token expires',
  id_token_hint: 'an ID token naming the user to sign out (OpenID Connect RP-Initiated Logout)',
  token: 'the token to revoke (RFC 7009)',
  token_type_hint: 'what kind of token is being revoked',
};

/** Registered JWT claims (RFC 7519 §4.1, RFC 9068, OpenID Connect Core §2). */
export const CLAIM_GLOSSARY: Readonly<Record<string, string>> = {
  iss: 'issuer: who signed the token',
  sub: 'subject: the user',
  aud: 'audience: who must accept it (an ID token: the client; an access token: the API)',
  exp: 'expires at',
  iat: 'issued at',
  nbf: 'not valid before',
  auth_time: 'when the user actually signed in',
  jti: 'unique id of this token',
  nonce: 'echoes the nonce of the login request (replay defence)',
  azp: 'authorized party: the client the ID token was issued to',
  at_hash: 'hash of the access token issued with it',
  client_id: 'the client the access token was issued to',
  scope: 'what the access token allows',
  sid: "the authorization server's session id",
};

/** The request and response headers the trace records, and why they matter. */
export const HEADER_GLOSSARY: Readonly<Record<string, string>> = {
  authorization: 'credentials: Bearer (a token) or Basic (client id and secret)',
  cookie: 'cookies the browser sent along, automatically',
  origin: 'the site whose page made the request',
  referer: 'the page the request came from: can leak URLs (and codes in them)',
  'x-csrf': "the app's own header: a cross-site page cannot send it",
  'sec-fetch-site': 'the browser says: same-origin, same-site or cross-site',
  location: 'where a redirect sends the browser',
  'set-cookie': 'a cookie the browser is told to keep',
  'www-authenticate': 'why a token was refused (RFC 6750 §3)',
  'cache-control': 'no-store: keep no copy (tokens, personal data)',
  'referrer-policy': 'how much of this URL the next request may reveal',
  'access-control-allow-origin': 'CORS: which other site may read this answer',
  'content-security-policy': 'what the page may load and run',
  'x-frame-options': 'whether another site may frame this page',
};

/** Why a header of an exchange matters, told for its value where that changes the story (the `Authorization` scheme). */
export function explainHeader(name: string, value: string): string {
  if (name === 'authorization') {
    const scheme = value.split(' ', 1)[0]?.toLowerCase();
    if (scheme === 'bearer') return 'an access token: whoever holds it may use it (RFC 6750 §2.1); here only the BFF sends it';
    if (scheme === 'basic') return "the client's id and secret (RFC 6749 §2.3.1): the BFF proves it is the registered client";
    if (scheme === 'dpop') return 'an access token bound to a key, with a proof signed by that key (RFC 9449)';
  }
  return HEADER_GLOSSARY[name] ?? '';
}

/** Claims that are times (seconds since 1970). */
export const TIME_CLAIMS: ReadonlySet<string> = new Set(['exp', 'iat', 'nbf', 'auth_time']);
