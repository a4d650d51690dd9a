/**
 * Shortening of secrets for anything a person may see (logs, traces, narration): a token keeps
 * its first characters and its length, `eyJhbGciOi…(812 chars)`, enough to tell two apart
 * and never enough to use one.
 */
export function shortenSecret(value: string, keep = 10): string {
  if (value.length <= keep + 2) return `${value.slice(0, 2)}…(${value.length} chars)`;
  return `${value.slice(0, keep)}…(${value.length} chars)`;
}

/** A compact JWS/JWE (three or five base64url parts) anywhere in a string. */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;

/** Names of parameters, fields and headers whose values are secrets. */
const SECRET_NAMES = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'id_token_hint',
  'logout_token',
  'token',
  'subject_token',
  'actor_token',
  'assertion',
  'client_assertion',
  'xsrf',
]);

/** Also names like `lab.access_token` or `refreshToken`, as apps name what they store. */
const SECRET_NAME_PATTERN = /(^|[._-])(access|refresh|id)[._-]?token$|(access|refresh|id)Token$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase()) || SECRET_NAME_PATTERN.test(name);
}

/** Replaces every JWT-shaped substring with its shortened form. */
export function redactTokens(text: string): string {
  return text.replace(JWT_PATTERN, (token) => shortenSecret(token));
}
