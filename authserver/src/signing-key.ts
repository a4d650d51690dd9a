import { exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';

/**
 * A fresh RS256 signing key for this run of the authorization server. It lives in memory only:
 * restarting the lab rotates it, and every token signed before becomes unverifiable.
 */
export async function generateSigningJwk(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' };
}
