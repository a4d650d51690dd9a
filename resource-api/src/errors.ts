import { HttpError } from '@lab/kit';

/**
 * The resource API's failures, one class per wire error, after auth0's node-oauth2-jwt-bearer.
 * Token failures carry the `WWW-Authenticate` challenge of RFC 6750 §3; `handleErrors` from
 * `@lab/shared` writes `{ error, message }` and `Cache-Control: no-store` for all of them.
 */

const REALM = 'resource-api';

/**
 * Builds `Bearer realm="…", error="…", …`. RFC 6750 §3 allows only printable ASCII without `"` and
 * `\` inside the quoted values, so anything else is replaced rather than escaped.
 */
function bearerChallenge(params: Record<string, string> = {}): string {
  const attributes = Object.entries({ realm: REALM, ...params }).map(
    ([name, value]) => `${name}="${value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?')}"`,
  );
  return `Bearer ${attributes.join(', ')}`;
}

/**
 * No credentials at all. RFC 6750 §3.1: "If the request lacks any authentication information …,
 * the resource server SHOULD NOT include an error code or other error information" in the challenge.
 */
export class MissingTokenError extends HttpError {
  constructor() {
    super(401, 'missing_token', 'This API needs an access token: send "Authorization: Bearer <token>".', {
      headers: { 'WWW-Authenticate': bearerChallenge() },
    });
  }
}

/** RFC 6750 §3.1 `invalid_request`: a malformed request, e.g. a broken header or a token in the URL. */
export class InvalidRequestError extends HttpError {
  constructor(description: string) {
    super(400, 'invalid_request', description, {
      headers: { 'WWW-Authenticate': bearerChallenge({ error: 'invalid_request', error_description: description }) },
    });
  }
}

/** RFC 6750 §3.1 `invalid_token`: expired, revoked, malformed or invalid for other reasons. */
export class InvalidTokenError extends HttpError {
  constructor(description: string, options: { cause?: unknown } = {}) {
    super(401, 'invalid_token', description, {
      headers: { 'WWW-Authenticate': bearerChallenge({ error: 'invalid_token', error_description: description }) },
      cause: options.cause,
    });
  }
}

/** RFC 6750 §3.1 `insufficient_scope`: a good token, but not for this; `scope` says what is needed. */
export class InsufficientScopeError extends HttpError {
  constructor(scope: string) {
    const description = `this request needs the ${scope} scope, which the access token was not granted`;
    super(403, 'insufficient_scope', description, {
      headers: { 'WWW-Authenticate': bearerChallenge({ error: 'insufficient_scope', error_description: description, scope }) },
    });
  }
}

/**
 * The keys to check signatures with could not be fetched (authorization server down, JWKS broken).
 * Not the client's fault, so not a 401: a 503 the client may retry.
 */
export class AuthServerUnavailableError extends HttpError {
  constructor(options: { cause?: unknown } = {}) {
    super(
      503,
      'authserver_unavailable',
      "The authorization server's signing keys (JWKS) could not be fetched, so no token can be checked right now; try again shortly.",
      {
        headers: { 'Retry-After': '5' },
        cause: options.cause,
      },
    );
  }
}

export class InvalidNoteError extends HttpError {
  constructor(description: string) {
    super(400, 'invalid_note', description);
  }
}

/** The body says it is JSON but does not parse (or is a bare string or number). */
export class InvalidJsonError extends HttpError {
  constructor(cause: Error) {
    super(400, 'invalid_json', `The body is not a JSON object or array (${cause.message}).`, { cause });
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, 'unsupported_media_type', 'Send the note as JSON, with "Content-Type: application/json".');
  }
}
