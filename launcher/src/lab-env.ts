import { randomBytes } from 'node:crypto';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment every service of one lab run shares. The client secret is made here, once per
 * run, and given to the two parties that must know it (the authorization server and the BFF);
 * it is never written to disk or printed. The control key is shared with the scenarios through
 * `.lab/run.json` (readable by this user only).
 */
export function makeLabEnv(base: Env, overrides: Env = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, ...overrides })) {
    if (value !== undefined) env[name] = value;
  }
  env.BFF_CLIENT_SECRET ||= randomBytes(32).toString('base64url');
  // The key of the lab's control routes (trace, defence switches) for this run only.
  env.LAB_CONTROL_KEY ||= randomBytes(24).toString('base64url');
  return env;
}
