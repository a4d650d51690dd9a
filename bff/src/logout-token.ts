import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthServerUnavailableError, InvalidLogoutTokenError } from './errors.ts';
import type { ExpiringMap } from './expiring-map.ts';

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the one event a logout token carries. */
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long after its `iat` a logout token is accepted: it is sent the moment the session ends. */
const MAX_AGE_SECONDS = 120;
const CLOCK_TOLERANCE_SECONDS = 5;

export interface LogoutTokenDeps {
  readonly issuer: string;
  /** This client's id: the token's `aud`. */
  readonly clientId: string;
  /** The algorithms the authorization server signs ID tokens (and logout tokens) with; never read from the token. */
  readonly algorithms: readonly string[];
  readonly getKey: JWTVerifyGetKey;
  /** Every accepted `jti`, while the token could be accepted again. */
  readonly seen: ExpiringMap<true>;
}

/**
 * Validates a logout token as OpenID Connect Back-Channel Logout 1.0 §2.6 lists, with jose: the
 * signature against the authorization server's keys (its JWKS) with our algorithms; `iss`, `aud`,
 * `iat` (recent); `typ` `logout+jwt` (§2.4: explicitly typed, so an ID token cannot pass as one);
 * the backchannel-logout event; a `sid` (our registration says `backchannel_logout_session_required`);
 * no `nonce` (§2.6 step 7: that would make it an ID token); and a `jti` not seen before (§2.6 step 10).
 * Returns the authorization server's session that ended.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
export async function verifyLogoutToken(token: string, deps: LogoutTokenDeps): Promise<{ sid: string; sub?: string }> {
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, failUnavailableOnKeyFetch(deps.getKey), {
      issuer: deps.issuer,
      audience: deps.clientId,
      algorithms: [...deps.algorithms],
      typ: 'logout+jwt',
      requiredClaims: ['iss', 'aud', 'iat', 'jti', 'events'],
      maxTokenAge: MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    if (error instanceof AuthServerUnavailableError) throw error;
    throw new InvalidLogoutTokenError(explain(error), error);
  }
  const { events, nonce, sid, sub, jti } = payload;
  const event = (events as Record<string, unknown> | undefined)?.[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof events !== 'object' || events === null || typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidLogoutTokenError(`events must hold the member ${BACKCHANNEL_LOGOUT_EVENT} with a JSON object`);
  }
  if (nonce !== undefined) throw new InvalidLogoutTokenError('a logout token must not carry a nonce (it would be an ID token)');
  if (typeof sid !== 'string' || sid === '')
    throw new InvalidLogoutTokenError('the logout token has no sid: this client registered backchannel_logout_session_required');
  if (sub !== undefined && typeof sub !== 'string') throw new InvalidLogoutTokenError('sub must be a string');
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw new InvalidLogoutTokenError('jti must be a non-empty string of at most 256 characters');
  // Checked and remembered with no await in between: of two copies at once, one passes.
  if (deps.seen.get(jti)) throw new InvalidLogoutTokenError('this logout token was already used (jti seen before)');
  deps.seen.set(jti, true, (MAX_AGE_SECONDS + 2 * CLOCK_TOLERANCE_SECONDS) * 1000);
  return { sid, sub };
}

/** The authorization server's JWKS, from its discovery document's `jwks_uri`, fetched on first use and cached by jose. */
export function createIssuerKeys(jwksUri: () => Promise<string>, fetchImpl: typeof fetch): JWTVerifyGetKey {
  let remote: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    remote ??= createRemoteJWKSet(new URL(await jwksUri()), { [customFetch]: fetchImpl });
    return remote(header, token);
  };
}

/** A JWKS that cannot be fetched is the authorization server's trouble, not the token's: 503, not 400. */
function failUnavailableOnKeyFetch(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      const aboutTheToken =
        error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported;
      throw aboutTheToken ? error : new AuthServerUnavailableError(error);
    }
  };
}

function explain(error: unknown): string {
  if (error instanceof errors.JWTExpired) return `the logout token is too old (iat more than ${MAX_AGE_SECONDS} s ago, or exp passed)`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'typ') return 'typ must be logout+jwt';
    if (error.reason === 'missing') return `the logout token has no ${error.claim} claim`;
    return `the logout token's ${error.claim} is not ours (expected iss, aud and a past iat)`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the logout token is not signed with an algorithm this client accepts';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return "the logout token is not signed by the authorization server's key";
  }
  return 'the logout token is not a valid signed JWT';
}
