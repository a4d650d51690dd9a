import { randomBytes } from 'node:crypto';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment every service of one lab run shares. The client secret is made here, once per
 * run, and given to the two parties that must know it (the authorization server and the BFF);
 * it is never written to disk or printed.
 */
export function makeLabEnv(base: Env, overrides: Env = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, ...overrides })) {
    if (value !== undefined) env[name] = value;
  }
  env.BFF_CLIENT_SECRET ||= randomBytes(32).toString('base64url');
  return env;
}
