import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readLabStore } from '@lab/shared';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment every service of one lab run shares. The client secret is made here, once per
 * run, and given to the two parties that must know it (the authorization server and the BFF);
 * it is never written to disk or printed. The control key is shared with the scenarios through
 * `.lab/run.json` (readable by this user only).
 *
 * In the Redis set-up (`LAB_STORE=redis`) the run's other keys are made here too, once, instead of
 * by each process at its start: the BFF's session-cookie keys (every BFF instance must accept the
 * cookie another one signed), and the authorization server's signing key and cookie keys (a
 * restarted authorization server must still verify the tokens and cookies it issued before).
 */
export function makeLabEnv(base: Env, overrides: Env = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, ...overrides })) {
    if (value !== undefined) env[name] = value;
  }
  env.BFF_CLIENT_SECRET ||= randomBytes(32).toString('base64url');
  // The BFF's DPoP key (bff/src/dpop-key.ts), one per run: every BFF instance signs its proofs with
  // it, since the tokens in the shared store are bound to it. Given to the BFF only.
  env.BFF_DPOP_JWK ||= JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
  // The key of the lab's control routes (trace, defence switches) for this run only.
  env.LAB_CONTROL_KEY ||= randomBytes(24).toString('base64url');
  if (readLabStore(env).kind === 'redis') {
    env.BFF_SESSION_KEYS ||= randomBytes(32).toString('base64url');
    env.AUTHSERVER_COOKIE_KEYS ||= randomBytes(32).toString('base64url');
    env.AUTHSERVER_SIGNING_JWK ||= JSON.stringify(makeSigningJwk());
  }
  return env;
}

/** An RS256 private key as a JWK, as the authorization server's `signing-key.ts` makes one. */
function makeSigningJwk(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}
