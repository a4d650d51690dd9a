import { randomUUID } from 'node:crypto';
import { SignJWT, base64url, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWTHeaderParameters, JWTPayload } from 'jose';

/** The lab's default topology, as `loadConfig({})` computes it. */
export const ISSUER = 'http://127.0.0.1:4000';
export const AUDIENCE = 'http://localhost:4001';
/** An API that is not this one: tokens minted for it must not be spent here. */
export const FOREIGN_AUDIENCE = 'http://localhost:9999';

/** A signing key standing in for the authorization server's, and the JWKS it would publish. */
export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwks: JSONWebKeySet;
}

export async function createSigningKey(kid = 'authserver-key-1'): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwks: { keys: [jwk] } };
}

export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Signs an RFC 9068 access token like the ones oidc-provider issues for the resource API:
 * `typ: at+jwt`, alice's, both notes scopes, valid for ten minutes. Tests override what they probe.
 */
export async function signAccessToken(key: TestSigningKey, overrides: { claims?: JWTPayload; header?: Partial<JWTHeaderParameters> } = {}): Promise<string> {
  const now = nowInSeconds();
  const claims: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice',
    scope: 'notes:read notes:write',
    client_id: 'lab-bff',
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
    ...overrides.claims,
  };
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...overrides.header }).sign(key.privateKey);
}

/** An unsecured JWT (RFC 7519 §6): `alg: none` and an empty signature. Anyone can write one. */
export function craftUnsignedToken(claims: JWTPayload): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
}

/** Rewrites claims of a signed token and keeps its header and (now wrong) signature. */
export function tamperWithClaims(token: string, changes: JWTPayload): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = { ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))), ...changes };
  return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
}
