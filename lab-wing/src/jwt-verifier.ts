import { createHash } from 'node:crypto';
import { EmbeddedJWK, createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { TRACE_HEADERS, XRAY_CALLER, type JwtSignatureCheck } from '@lab/shared';
import type { JwtVerifier } from './trace-jwts.ts';

/**
 * The X-ray's signature check of the JWTs a service records: "was this token signed by our
 * authorization server's key?". Lab instrumentation: it decides nothing, the services' own checks
 * (the BFF's ID token checks, the resource API's access token validation) do.
 */

export interface JwtVerifierOptions {
  /** The issuer the token must name in `iss`. */
  readonly issuer: string;
  /** The issuer's public keys: `createXrayKeySet` (its JWKS) or `localKeySetOf` (the authorization server's own key). */
  readonly keys: JWTVerifyGetKey;
}

/**
 * A verifier for `TraceRecorder.verifier`: jose `jwtVerify` with the issuer's keys and `iss`.
 * jose checks the signature before the claims, so a token refused only for its times (`exp`,
 * `nbf`, `iat`) was validly signed: that is `verified`, the X-ray shows the dates separately.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2 (validating a JWS)
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  // The same access token rides on every API call until it is refreshed: its signature is checked
  // once, not on every request (an RSA verification is most of the trace's cost otherwise).
  const known = new Map<string, { check: Promise<JwtSignatureCheck>; until: number }>();
  return function verifyForXray(token: string): Promise<JwtSignatureCheck> {
    const digest = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const cached = known.get(digest);
    if (cached && cached.until > now) return cached.check;
    const check = verifyOnce(token, options);
    known.delete(digest);
    known.set(digest, { check, until: now + REMEMBER_CHECK_MS });
    // A key set that could not be fetched checked nothing: ask again next time.
    void check.then((result) => {
      if (result === 'unchecked') known.delete(digest);
    });
    if (known.size > REMEMBERED_CHECKS) known.delete(known.keys().next().value as string);
    return check;
  };
}

/** How long a token's check is remembered (the keys may rotate), and how many are. */
const REMEMBER_CHECK_MS = 60_000;
const REMEMBERED_CHECKS = 1_000;

async function verifyOnce(token: string, options: JwtVerifierOptions): Promise<JwtSignatureCheck> {
  try {
    // A DPoP proof (RFC 9449 §4.2) is signed by the client's own key, which it carries in its `jwk`
    // header; the issuer's keys have nothing to say about it.
    if (decodeProtectedHeader(token).typ === 'dpop+jwt') await jwtVerify(token, EmbeddedJWK, { typ: 'dpop+jwt' });
    else await jwtVerify(token, options.keys, { issuer: options.issuer });
    return 'verified';
  } catch (error) {
    return classifyFailure(error);
  }
}

function classifyFailure(error: unknown): JwtSignatureCheck {
  if (error instanceof errors.JWTExpired) return 'verified';
  if (error instanceof errors.JWTClaimValidationFailed) return error.claim === 'nbf' || error.claim === 'iat' ? 'verified' : 'invalid';
  // The keys could not be fetched (authorization server down, timeout): nothing was checked.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'unchecked';
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC' ? 'unchecked' : 'invalid';
  return 'unchecked';
}

/**
 * The issuer's JWKS, fetched on first use and cached, for the X-ray only. Its requests carry
 * `X-Lab-Caller: x-ray`, so the authorization server's trace leaves them out: the BFF, for one,
 * never fetches the JWKS in the flow itself, and the X-ray must not draw calls it makes up.
 */
export function createXrayKeySet(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 5_000, headers: { [TRACE_HEADERS.caller]: XRAY_CALLER } });
}

/** The public half of the authorization server's own signing key, so it can check its tokens without a request. */
export function localKeySetOf(signingJwk: Readonly<Record<string, unknown>>): JWTVerifyGetKey {
  const publicJwk: Record<string, unknown> = { ...signingJwk };
  for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) delete publicJwk[privateMember];
  return createLocalJWKSet({ keys: [publicJwk as JWK] });
}
