import { createHash } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, errors, jwtVerify } from 'jose';
import type { FlattenedJWSInput, JWK, JWSHeaderParameters } from 'jose';
import { InvalidDpopProofError } from './errors.ts';
import type { SeenProofs } from './seen-proofs.ts';

/** How long after its `iat` a proof is accepted (RFC 9449 §11.1: "a relatively brief period"). */
export const PROOF_WINDOW_SECONDS = 60;
/** Room for small clock differences between the BFF and this API, in both directions. */
export const PROOF_CLOCK_TOLERANCE_SECONDS = 5;

export interface VerifyDpopProofDeps {
  /** The proof signature algorithms accepted (advertised in the `DPoP algs="…"` challenge). */
  readonly algorithms: readonly string[];
  /** The origins this API is reached at: a proof's `htu` must name one of them and the request's path. */
  readonly origins: readonly string[];
  readonly seen: SeenProofs;
}

/** The request the proof must be for. */
export interface ProvedRequest {
  readonly method: string;
  /** The path of the request, without its query (RFC 9449 §4.2: `htu` has no query or fragment). */
  readonly path: string;
}

/** A compact JWS: exactly three base64url parts. Two `DPoP` headers arrive joined with a comma, and fail this. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Checks the DPoP proof that came with a DPoP-bound access token, as RFC 9449 §4.3 and §7.1 list:
 * one well-formed JWT of type `dpop+jwt`, signed with an accepted asymmetric algorithm by the public
 * key in its own `jwk` header; for this method (`htm`) and this URL (`htu`); made just now (`iat`);
 * for this access token (`ath`, its SHA-256 hash); by the very key the token is bound to (the JWK
 * thumbprint, RFC 7638, equals the token's `cnf.jkt`); and never seen before (`jti`). jose checks
 * the JWT; the comparisons are the RFC's. Any failure is a 401 `invalid_dpop_proof` (RFC 9449 §7.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export async function verifyDpopProof(proof: string, request: ProvedRequest, accessToken: string, boundTo: string, deps: VerifyDpopProofDeps): Promise<void> {
  const refuse = (description: string, cause?: unknown) => new InvalidDpopProofError(description, deps.algorithms, { cause });
  if (proof === '') throw refuse('a DPoP-bound access token needs a DPoP proof: send it in the DPoP header (RFC 9449 section 7.1)');
  if (!COMPACT_JWS.test(proof)) throw refuse('the DPoP header must carry exactly one proof, a compact JWT (RFC 9449 section 4.2)');

  let checked: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    checked = await jwtVerify(proof, embeddedKeyOnce, {
      typ: 'dpop+jwt',
      algorithms: [...deps.algorithms],
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      maxTokenAge: PROOF_WINDOW_SECONDS,
      clockTolerance: PROOF_CLOCK_TOLERANCE_SECONDS,
    });
  } catch (error) {
    throw refuse(explainProofFailure(error, deps.algorithms), error);
  }
  const { payload, protectedHeader } = checked;
  const { jti, htm, htu, ath } = payload;

  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw refuse('jti must be a non-empty string of at most 256 characters');
  if (htm !== request.method) throw refuse(`htm is ${show(htm)}, this request is ${request.method}`);
  if (!deps.origins.some((origin) => sameResource(htu, `${origin}${request.path}`))) {
    throw refuse(`htu is ${show(htu)}, this request is for ${deps.origins[0] ?? ''}${request.path}`);
  }
  // RFC 9449 §4.3 (ath): the proof is for this token, so a proof made for another token is worthless here.
  if (ath !== sha256(accessToken)) throw refuse('ath is not the SHA-256 hash of this access token: the proof was made for another token');
  // RFC 9449 §6.1: the key that signed the proof is the key the token is bound to.
  const thumbprint = await thumbprintOnce(protectedHeader.jwk as JWK);
  if (thumbprint !== boundTo) {
    throw refuse(`the proof is signed by key ${thumbprint}, the access token is bound to key ${show(boundTo)} (cnf.jkt)`);
  }
  // Last: only a proof that is right in every other way is remembered (see seen-proofs.ts).
  if (!deps.seen.remember(`${thumbprint}:${jti}`)) throw refuse('this DPoP proof was already used (jti seen before): a replayed proof');
}

/** `htu` compared as RFC 9449 §4.3 says: the URI without query and fragment, after normalisation (RFC 3986 §6). */
/**
 * A client signs its proofs with one key (the BFF with one per process): the key in a proof's
 * `jwk` header is imported by jose's `EmbeddedJWK`, and its thumbprint computed, once per key,
 * not once per request. Bounded, so that a caller inventing keys cannot grow it.
 */
const KEY_CACHE_LIMIT = 1_000;
const importedKeys = new Map<string, ReturnType<typeof EmbeddedJWK>>();
const thumbprints = new Map<string, Promise<string>>();

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const made = make();
  if (cache.size >= KEY_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, made);
  // A key that fails to import is not kept: the next proof tries again (and fails the same way).
  if (made instanceof Promise) made.catch(() => cache.delete(key));
  return made;
}

function embeddedKeyOnce(header: JWSHeaderParameters, token: FlattenedJWSInput): ReturnType<typeof EmbeddedJWK> {
  return remember(importedKeys, `${String(header.alg)} ${JSON.stringify(header.jwk)}`, () => EmbeddedJWK(header, token));
}

function thumbprintOnce(jwk: JWK): Promise<string> {
  return remember(thumbprints, JSON.stringify(jwk), () => calculateJwkThumbprint(jwk, 'sha256'));
}

function sameResource(htu: unknown, expected: string): boolean {
  if (typeof htu !== 'string' || !URL.canParse(htu)) return false;
  const url = new URL(htu);
  return url.search === '' && url.hash === '' && `${url.origin}${url.pathname}` === new URL(expected).href;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function explainProofFailure(error: unknown, algorithms: readonly string[]): string {
  if (error instanceof errors.JOSEAlgNotAllowed) return `the proof's alg is not accepted; this API accepts ${algorithms.join(', ')}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the proof's signature does not match the public key in its jwk header";
  if (error instanceof errors.JWTExpired) return `the proof is too old: iat more than ${PROOF_WINDOW_SECONDS} s ago (RFC 9449 section 11.1)`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'typ') return 'typ must be dpop+jwt (RFC 9449 section 4.2)';
    if (error.reason === 'missing') return `the proof has no ${error.claim} claim, which RFC 9449 section 4.2 requires`;
    if (error.claim === 'iat') return 'the proof claims to be made in the future (iat)';
    return `the proof's ${error.claim} claim is not acceptable`;
  }
  if (error instanceof errors.JOSEError) return `the proof is not a valid DPoP proof JWT (${error.message.replaceAll('"', "'")})`;
  return 'the proof is not a valid DPoP proof JWT';
}

/** Claim values are the caller's: shown in errors, but short. */
function show(value: unknown): string {
  if (value === undefined || value === '') return '(none)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
