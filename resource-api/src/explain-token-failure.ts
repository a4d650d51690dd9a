import { decodeProtectedHeader, errors } from 'jose';
import type { ProtectedHeaderParameters } from 'jose';
import { AuthServerUnavailableError, InvalidTokenError } from './errors.ts';

/** What the explanations refer to: what this API expected. */
export interface TokenExpectations {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
}

/**
 * Turns a jose error into an `invalid_token` whose `error_description` names the check that failed
 * (RFC 6750 §3: "a human-readable ASCII text providing additional information"), so a learner sees
 * *why* a token was refused. Errors that are not about the token pass through unchanged.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function explainTokenFailure(error: unknown, token: string, deps: TokenExpectations): unknown {
  if (error instanceof InvalidTokenError || error instanceof AuthServerUnavailableError) return error;
  const invalid = (description: string) => new InvalidTokenError(description, { cause: error });
  const header = readHeader(token);
  if (error instanceof errors.JWTExpired) return invalid(`the access token expired at ${toIsoDate(error.payload.exp)}`);
  if (error instanceof errors.JWTClaimValidationFailed) return invalid(explainClaimFailure(error, header, deps));
  if (error instanceof errors.JOSEAlgNotAllowed) {
    const alg = header.alg === 'none' ? 'none (an unsigned token)' : show(header.alg);
    return invalid(`alg is ${alg}, this API accepts only ${deps.algorithms.join(', ')}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid("the signature does not match the authorization server's key: the token was altered or signed by someone else");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalid(`no key of the authorization server matches kid ${show(header.kid)} and alg ${show(header.alg)}`);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return invalid(`the access token is not a well-formed JWT (${error.message}); this API accepts only JWT access tokens (RFC 9068)`);
  }
  if (error instanceof errors.JOSEError) return invalid(error.message);
  return error;
}

function explainClaimFailure(error: errors.JWTClaimValidationFailed, header: ProtectedHeaderParameters, deps: TokenExpectations): string {
  const { claim, reason, payload } = error;
  if (claim === 'typ') return `typ is ${show(header.typ)}, this API accepts only at+jwt access tokens (RFC 9068 section 2.1)`;
  if (reason === 'missing') return `the access token has no ${claim} claim, which RFC 9068 section 2.2 requires`;
  switch (claim) {
    case 'aud':
      return `aud is ${show(toList(payload.aud).join(' '))}, this API is ${deps.audience}`;
    case 'iss':
      return `iss is ${show(payload.iss)}, this API trusts only ${deps.issuer}`;
    case 'nbf':
      return `the access token is not valid before ${toIsoDate(payload.nbf)}`;
    case 'iat':
      return `the access token claims to be issued in the future, at ${toIsoDate(payload.iat)}`;
    default:
      return error.message;
  }
}

function readHeader(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return {};
  }
}

function toList(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((item): item is string => typeof item === 'string') : [];
}

function toIsoDate(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : show(seconds);
}

/** Token values are attacker-controlled: shown in errors, but short. */
function show(value: unknown): string {
  if (value === undefined || value === '') return '(none)';
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
