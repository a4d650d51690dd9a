import { decodeJwt, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { DefenceSwitches } from '@lab/shared';
import { AuthServerUnavailableError, InvalidTokenError } from './errors.ts';
import { explainTokenFailure } from './explain-token-failure.ts';

/** What the API knows about the caller once their access token has checked out. */
export interface VerifiedAccessToken {
  /** The user the token was issued for; notes are keyed by it. */
  readonly sub: string;
  /** The space-separated `scope` claim as a set (RFC 9068 §2.2.3). */
  readonly scopes: ReadonlySet<string>;
  /** The client the token was issued to (RFC 9068 §2.2). */
  readonly clientId: string;
  readonly claims: JWTPayload;
}

export interface VerifyAccessTokenDeps {
  /** Finds the authorization server's public key for the token's `kid` and `alg`, e.g. `createRemoteJWKSet`. */
  readonly getKey: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  readonly defences: DefenceSwitches;
  /** Room for clock differences between the authorization server and this API, on `exp` (seconds, default 1). */
  readonly clockToleranceSeconds?: number;
}

/**
 * The claims RFC 9068 §2.2 makes mandatory. `scope` is optional there (§2.2.3); a token without
 * one is still valid but has no scope, so it gets a 403 `insufficient_scope` naming what to ask for.
 */
const REQUIRED_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

/**
 * Validates a JWT access token as RFC 9068 §4 prescribes and says exactly which check failed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3
 */
export async function verifyAccessToken(token: string, deps: VerifyAccessTokenDeps): Promise<VerifiedAccessToken> {
  // Consulted on every request, not once: the lab switches defences off and on while running.
  const checkAudience = deps.defences.isOn('api-audience');
  try {
    const claims = deps.defences.isOn('api-signature')
      ? await verifySignedToken(token, deps, checkAudience)
      : decodeWithoutVerifying(token, deps, checkAudience);
    return toVerifiedAccessToken(claims);
  } catch (error) {
    throw explainTokenFailure(error, token, deps);
  }
}

async function verifySignedToken(token: string, deps: VerifyAccessTokenDeps, checkAudience: boolean): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, failUnavailableOnKeyFetch(deps.getKey), {
    issuer: deps.issuer,
    // RFC 9068 §4, RFC 8725 §3.9: a token minted for another API must not be spent here.
    audience: checkAudience ? deps.audience : undefined,
    // RFC 8725 §3.1: the accepted algorithms come from our configuration, never from the token's
    // own `alg` header; `none` and HMAC algorithms are never on the list.
    algorithms: [...deps.algorithms],
    // RFC 9068 §2.1, RFC 8725 §3.11: only `at+jwt`, so an ID token signed by the same issuer
    // cannot be passed off as an access token.
    typ: 'at+jwt',
    requiredClaims: REQUIRED_CLAIMS,
    clockTolerance: deps.clockToleranceSeconds ?? 1,
  });
  return payload;
}

/**
 * DELIBERATELY VULNERABLE: lab mode only, when the `api-signature` defence is weakened.
 * The signature is not checked and any `alg` is accepted, `none` included, so anyone can write a
 * token of their own: change `sub` to read another user's notes, add `notes:write` to the scope.
 * It is the flaw of libraries that trusted the token's `alg` (RFC 8725 §2.1). `iss`, `exp` (and
 * `aud` when that defence is on) are still checked, to show that claim checks are worth nothing
 * without the signature that protects the claims.
 */
function decodeWithoutVerifying(token: string, deps: VerifyAccessTokenDeps, checkAudience: boolean): JWTPayload {
  const claims = decodeJwt(token);
  if (claims.iss !== deps.issuer) {
    throw new errors.JWTClaimValidationFailed('unexpected "iss" claim value', claims, 'iss', 'check_failed');
  }
  if (checkAudience && ![claims.aud].flat().includes(deps.audience)) {
    throw new errors.JWTClaimValidationFailed('unexpected "aud" claim value', claims, 'aud', 'check_failed');
  }
  if (typeof claims.exp !== 'number') {
    throw new errors.JWTClaimValidationFailed('missing required "exp" claim', claims, 'exp', 'missing');
  }
  if (claims.exp <= Date.now() / 1000 - (deps.clockToleranceSeconds ?? 1)) {
    throw new errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed');
  }
  return claims;
}

/**
 * A failure to *fetch* the keys (connection refused, timeout, a broken JWKS) is the authorization
 * server's problem, not the token's: it becomes a 503, not a 401 that would send the user to log in again.
 * A JWKS that simply has no key for the token's `kid` is the token's problem.
 */
function failUnavailableOnKeyFetch(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      const aboutTheToken =
        error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported;
      throw aboutTheToken ? error : new AuthServerUnavailableError({ cause: error });
    }
  };
}

function toVerifiedAccessToken(claims: JWTPayload): VerifiedAccessToken {
  const { sub, scope, client_id: clientId } = claims;
  if (typeof sub !== 'string' || sub === '') throw new InvalidTokenError('sub must be a non-empty string');
  if (typeof clientId !== 'string' || clientId === '') throw new InvalidTokenError('client_id must be a non-empty string');
  if (scope !== undefined && typeof scope !== 'string') {
    throw new InvalidTokenError('scope must be a space-separated string (RFC 9068 section 2.2.3)');
  }
  return { sub, clientId, scopes: new Set(scope?.split(' ').filter(Boolean)), claims };
}
