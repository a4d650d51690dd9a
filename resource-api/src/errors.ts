import { HttpError } from '@lab/kit';

/**
 * The resource API's failures, one class per wire error, after auth0's node-oauth2-jwt-bearer.
 * Token failures carry the `WWW-Authenticate` challenge of RFC 6750 §3; `handleErrors` from
 * `@lab/shared` writes `{ error, message }` and `Cache-Control: no-store` for all of them.
 */

const REALM = 'resource-api';

/**
 * One challenge: `Bearer realm="…", error="…", …` or `DPoP error="…", …, algs="…"`. RFC 6750 §3 allows
 * only printable ASCII without `"` and `\` inside the quoted values, so anything else is replaced
 * rather than escaped.
 */
function challenge(scheme: 'Bearer' | 'DPoP', params: Record<string, string> = {}): string {
  const attributes = Object.entries(params).map(([name, value]) => `${name}="${value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?')}"`);
  return attributes.length > 0 ? `${scheme} ${attributes.join(', ')}` : scheme;
}

function bearerChallenge(params: Record<string, string> = {}): string {
  return challenge('Bearer', { realm: REALM, ...params });
}

/** RFC 9449 §7.1: the DPoP challenge names the proof algorithms this API accepts (`algs`). */
function dpopChallenge(algs: readonly string[], params: Record<string, string> = {}): string {
  return challenge('DPoP', { ...params, algs: algs.join(' ') });
}

/**
 * The challenges of a 401: the Bearer one, and, while this API takes DPoP-bound tokens (`dpopAlgs`
 * given), the DPoP one after it (RFC 9449 §7.2: a server that takes both schemes offers both).
 */
function challenges(bearer: Record<string, string>, dpopAlgs: readonly string[] | undefined): string {
  return dpopAlgs ? `${bearerChallenge(bearer)}, ${dpopChallenge(dpopAlgs)}` : bearerChallenge(bearer);
}

/**
 * No credentials at all, or credentials of a scheme this API does not take (`Basic`). RFC 6750 §3.1:
 * "If the request lacks any authentication information (e.g., the client was unaware that
 * authentication is necessary or attempted using an unsupported authentication method), the resource
 * server SHOULD NOT include an error code or other error information" in the challenge.
 */
export class MissingTokenError extends HttpError {
  constructor(options: { dpopAlgs?: readonly string[]; scheme?: string } = {}) {
    const schemes = options.dpopAlgs ? '"Authorization: Bearer <token>" or "Authorization: DPoP <token>" with a DPoP proof' : '"Authorization: Bearer <token>"';
    const message = options.scheme
      ? `This API does not take ${options.scheme.slice(0, 20)} credentials: send an access token, ${schemes}.`
      : `This API needs an access token: send ${schemes}.`;
    super(401, 'missing_token', message, { headers: { 'WWW-Authenticate': challenges({}, options.dpopAlgs) } });
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

/**
 * RFC 6750 §3.1 `invalid_token`: expired, revoked, malformed or invalid for other reasons. Sent as
 * DPoP (`scheme: 'DPoP'`), or a DPoP-bound token sent as Bearer, the error goes in the DPoP
 * challenge (RFC 9449 §7.1): a Bearer retry cannot help.
 */
export class InvalidTokenError extends HttpError {
  constructor(description: string, options: { cause?: unknown; dpopAlgs?: readonly string[]; scheme?: 'Bearer' | 'DPoP' } = {}) {
    const error = { error: 'invalid_token', error_description: description };
    const header = options.scheme === 'DPoP' && options.dpopAlgs ? dpopChallenge(options.dpopAlgs, error) : challenges(error, options.dpopAlgs);
    super(401, 'invalid_token', description, { headers: { 'WWW-Authenticate': header }, cause: options.cause });
  }
}

/** RFC 9449 §7.1 `invalid_dpop_proof`: the DPoP proof is missing, malformed, stale, replayed or for something else. */
export class InvalidDpopProofError extends HttpError {
  constructor(description: string, dpopAlgs: readonly string[], options: { cause?: unknown } = {}) {
    super(401, 'invalid_dpop_proof', description, {
      headers: { 'WWW-Authenticate': dpopChallenge(dpopAlgs, { error: 'invalid_dpop_proof', error_description: description }) },
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
