import { createHash, randomBytes } from 'node:crypto';

/**
 * Small tools for the attack scenarios: what Mallory can compute on her own (a PKCE pair, a JWT
 * without a signature) and how a scenario waits for something that happens only if an attack works.
 */

/**
 * Resolves with the promise's value, or `undefined` once `ms` have passed or when it rejects: for
 * things that happen only if an attack works, so that a defended lab fails an expectation
 * quickly instead of stopping the scenario with a timeout.
 */
export async function waitAtMost<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh PKCE pair (RFC 7636 §4.1, §4.2): the secret verifier and its S256 challenge. */
export function createPkcePair(): { code_verifier: string; code_challenge: string } {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url') };
}

/** The header and payload of a compact JWT, read without checking anything (as anyone can). */
export function readJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature };
}

/** A compact JWT from its parts; the signature is whatever the caller puts there, or nothing. */
export function writeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}
