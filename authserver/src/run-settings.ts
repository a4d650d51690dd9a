import { HttpError, type ExtraSettings } from '@lab/shared';
import type { AuthServerConfig } from './config.ts';

/** What the lab can change while the authorization server runs (`PUT /_lab/settings`). */
export interface RunSettings {
  /** Lifetime of new access tokens, so a scenario can make them expire quickly. */
  accessTokenTtlSeconds: number;
  /** Whether the public client `spa-public` (the anti-pattern mode) may be used at all. */
  publicClient: boolean;
}

export function createRunSettings(config: AuthServerConfig): RunSettings {
  return { accessTokenTtlSeconds: config.accessTokenTtlSeconds, publicClient: config.lab.mode === 'public-client' };
}

/** The settings as the control routes' `extra` members: `{ accessTokenTtlSeconds, publicClient }`. */
export function controlRunSettings(settings: RunSettings): ExtraSettings {
  return {
    read: () => ({ accessTokenTtlSeconds: settings.accessTokenTtlSeconds, publicClient: settings.publicClient }),
    apply: (patch) => {
      const { accessTokenTtlSeconds: ttl, publicClient } = patch;
      // Both checked before either changes.
      if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)) {
        throw new HttpError(400, 'invalid_setting', 'accessTokenTtlSeconds must be a whole number of seconds from 1 to 86400.');
      }
      if (publicClient !== undefined && typeof publicClient !== 'boolean') {
        throw new HttpError(400, 'invalid_setting', 'publicClient must be true or false.');
      }
      if (ttl !== undefined) settings.accessTokenTtlSeconds = ttl;
      if (publicClient !== undefined) settings.publicClient = publicClient;
    },
  };
}
