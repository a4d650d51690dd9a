import { HttpError } from '@lab/kit';

/** 401: there is no signed-in session. The SPA shows its signed-out view. */
export class NotAuthenticatedError extends HttpError {
  constructor(message = 'You are not signed in.') {
    super(401, 'not_authenticated', message);
  }
}

/** 401: the session existed, but its tokens could no longer be refreshed; it has been ended. */
export class SessionExpiredError extends HttpError {
  constructor(reason: string) {
    super(401, 'session_expired', `Your session has ended: ${reason}. Sign in again.`);
  }
}

/** 403: a JSON endpoint was called without `X-CSRF: 1` (a cross-site form or image cannot add it). */
export class CsrfHeaderMissingError extends HttpError {
  constructor() {
    super(403, 'csrf_header_missing', 'This endpoint requires the header "X-CSRF: 1". Cross-site requests cannot send it.');
  }
}

export class InvalidReturnToError extends HttpError {
  constructor() {
    super(400, 'invalid_return_to', 'returnTo must be a path on this site, such as /notes.');
  }
}

/** 400: the callback does not belong to a login this browser started (RFC 6749 §10.12, RFC 9700 §4.7). */
export class InvalidStateError extends HttpError {
  constructor(message: string) {
    super(400, 'invalid_state', message);
  }
}

/** 400: the authorization response was not issued by our authorization server (RFC 9207, mix-up). */
export class InvalidIssuerError extends HttpError {
  constructor(message: string) {
    super(400, 'invalid_issuer', message);
  }
}

/** 400: the authorization server answered the authorization or token request with an OAuth error. */
export class OAuthError extends HttpError {
  constructor(code: string, description: string | undefined) {
    super(400, code, description ? `The authorization server said: ${description}` : `The authorization server answered ${code}.`);
  }
}

/** 400: the callback or its ID token failed a check the BFF makes (nonce, signature...). */
export class LoginRejectedError extends HttpError {
  constructor(message: string) {
    super(400, 'login_rejected', message);
  }
}

export class AuthServerUnavailableError extends HttpError {
  constructor(cause?: unknown) {
    super(503, 'authserver_unavailable', 'The authorization server cannot be reached. Your session is kept; try again in a moment.', { cause });
  }
}

export class ResourceApiUnavailableError extends HttpError {
  constructor(cause?: unknown) {
    super(502, 'resource_api_unavailable', 'The notes API cannot be reached. Your session is kept; try again in a moment.', { cause });
  }
}

/** 400: an /api/* path the proxy refuses to build a URL from (traversal, encoded separators...). */
export class InvalidApiPathError extends HttpError {
  constructor() {
    super(400, 'invalid_api_path', 'This API path is not allowed: no "..", encoded separators, backslashes or absolute URLs.');
  }
}

/** 404: the proxy forwards only the resource API's allow-listed routes. */
export class ApiRouteNotAllowedError extends HttpError {
  constructor(method: string, path: string) {
    super(404, 'api_route_not_allowed', `The BFF does not forward ${method} /api${path}.`);
  }
}

/** 415: the API proxy takes JSON bodies only (a cross-site form cannot send `application/json`). */
export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
}

/** 504: the authorization server did not answer in time (frozen, overloaded). */
export class AuthServerTimeoutError extends HttpError {
  constructor(cause?: unknown) {
    super(504, 'authserver_timeout', 'The authorization server did not answer in time. Your session is kept; try again in a moment.', { cause });
  }
}

/** 429: the BFF holds as many unfinished logins as it allows (anonymous callers can start them). */
export class TooManyPendingLoginsError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(429, 'too_many_pending_logins', 'Too many sign-ins are in progress right now. Try again in a few minutes.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** 400: a JSON body nested deeper than any note needs (deep nesting is a parser and serialiser attack). */
export class JsonTooDeepError extends HttpError {
  constructor(limit: number) {
    super(400, 'json_too_deep', `The JSON body is nested more than ${limit} levels deep.`);
  }
}

/**
 * 400: a back-channel logout request the BFF refuses (OpenID Connect Back-Channel Logout 1.0 §2.8:
 * "If the logout request cannot be processed, the RP MUST respond with 400 Bad Request"), with the
 * OAuth error member it names (`invalid_request`, RFC 6749 §5.2). Nothing is ended.
 */
export class InvalidLogoutTokenError extends HttpError {
  constructor(description: string, cause?: unknown) {
    super(400, 'invalid_request', `The logout token was refused: ${description}.`, { extra: { error_description: description }, cause });
  }
}

/**
 * The same error, with the way back for a browser that landed on it at the callback: a fresh login
 * (`startAgain`), since the one that brought it here is spent or cannot finish.
 */
export function withStartAgain(error: HttpError, startAgain: string): HttpError {
  return new HttpError(error.status, error.code, error.message, {
    headers: { ...error.headers },
    extra: { ...error.extra, startAgain },
    cause: error.cause,
  });
}

/**
 * 503: the shared session store (Redis) did not answer in time or cannot be reached. Nothing was
 * decided about the session: it is neither ended nor changed, and the same call can be tried again.
 */
export class SessionStoreUnavailableError extends HttpError {
  constructor(cause?: unknown) {
    super(503, 'session_store_unavailable', 'The session store cannot be reached right now. Your session is kept; try again in a moment.', {
      cause,
      headers: { 'Retry-After': '1' },
    });
  }
}
