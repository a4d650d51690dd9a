import { importJWK, type CryptoKey, type JWK } from 'jose';
import { randomDPoPKeyPair, type CryptoKeyPair } from 'openid-client';
import { ConfigError } from '@lab/shared';

/**
 * The BFF's DPoP key pair (RFC 9449): one per BFF deployment, not one per session.
 *
 * Why not per session: the tokens are kept in the session store, and the session store is what
 * leaks (a backup, an exposed Redis, the lab's breach route). A per-session key would have to be
 * kept there too, so that any BFF instance, or the BFF after a restart, can use it, and it would
 * leak together with the tokens it is meant to protect. One key held by the BFF process, never
 * written to the store, makes a copy of the store worthless for calling the API: the tokens in it
 * are bound to a key that is not in it. The private key is a non-extractable `CryptoKey`; in
 * production it would sit in a KMS or HSM. The price: every session's tokens depend on that one key,
 * so it is rotated like the client secret, and several BFF instances share it (`BFF_DPOP_JWK`).
 *
 * `BFF_DPOP_JWK`: a private EC P-256 JWK (JSON); when absent, a new key is made at start and the
 * tokens issued before a restart stop working at the API (the BFF refreshes them on the first 401).
 */
export function createDpopKeyPair(jwk: JWK | undefined): Promise<CryptoKeyPair> {
  return jwk ? importKeyPair(jwk) : randomDPoPKeyPair('ES256');
}

/** Reads `BFF_DPOP_JWK` (config.ts): a private P-256 JWK in JSON, or nothing. */
export function readDpopJwk(raw: string | undefined): JWK | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const jwk = JSON.parse(raw) as JWK;
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') throw new Error('not a private P-256 key');
    return jwk;
  } catch {
    throw new ConfigError('BFF_DPOP_JWK', 'must be a private EC P-256 JWK in JSON (kty "EC", crv "P-256", with "d")');
  }
}

async function importKeyPair(jwk: JWK): Promise<CryptoKeyPair> {
  const { d: _private, ...publicJwk } = jwk;
  // The private key cannot be exported again; the public key must be, for the proofs' `jwk` header.
  const privateKey = (await importJWK(jwk, 'ES256', { extractable: false })) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey;
  return { privateKey, publicKey };
}
