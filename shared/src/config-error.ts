/**
 * A configuration value that cannot be used. The message names the variable, so the person
 * starting the lab knows what to change.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads an integer within [min, max], or the default when the variable is unset or empty. */
export function readInteger(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Reads a secret; when unset, a fresh random one is made for this run (never committed, never logged). */
export function readSecret(env: Env, variable: string, makeDefault: () => string, minLength = 16): string {
  const raw = env[variable];
  if (raw === undefined || raw === '') return makeDefault();
  if (raw.length < minLength) throw new ConfigError(variable, `must be at least ${minLength} characters long`);
  return raw;
}

/** Reads a boolean flag: 1/true/on/yes or 0/false/off/no. */
export function readFlag(env: Env, variable: string, fallback: boolean): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(variable, `expected on/off (1/0, true/false), got "${env[variable]}"`);
}

/**
 * The BFF's client secret, which the authorization server and the BFF must both be given (and
 * nobody else): `npm start` makes one per run. Without it, neither can start.
 */
export function readBffClientSecret(env: Env): string {
  const secret = env.BFF_CLIENT_SECRET;
  if (!secret || secret.length < 32) {
    throw new ConfigError(
      'BFF_CLIENT_SECRET',
      "must be set to the BFF's client secret, the same for the authorization server and the BFF (at least 32 characters); `npm start` makes one for each run",
    );
  }
  return secret;
}
