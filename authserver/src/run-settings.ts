import { HttpError, isLabFlow, type ExtraSettings, type LabFlow } from '@lab/shared';
import type { AuthServerConfig } from './config.ts';

/** What the lab can change while the authorization server runs (`PUT /_lab/settings`). */
export interface RunSettings {
  /** Lifetime of new access tokens, so a scenario can make them expire quickly. */
  accessTokenTtlSeconds: number;
  /** Whether the public client `spa-public` (the anti-pattern mode) may be used at all. */
  publicClient: boolean;
  /** Whether the BFF's second redirect URI, the SPA's `/callback` (the seed's variant), is accepted. */
  flow: LabFlow;
}

export function createRunSettings(config: AuthServerConfig): RunSettings {
  return { accessTokenTtlSeconds: config.accessTokenTtlSeconds, publicClient: config.lab.mode === 'public-client', flow: config.lab.flow };
}

/** The settings as the control routes' `extra` members: `{ accessTokenTtlSeconds, publicClient, flow }`. */
export function controlRunSettings(settings: RunSettings): ExtraSettings {
  return {
    read: () => ({ accessTokenTtlSeconds: settings.accessTokenTtlSeconds, publicClient: settings.publicClient, flow: settings.flow }),
    apply: (patch) => {
      const { accessTokenTtlSeconds: ttl, publicClient, flow } = patch;
      if (flow !== undefined && !isLabFlow(flow)) throw new HttpError(400, 'invalid_setting', 'flow must be "recommended" or "seed".');
      // Both checked before either changes.
      if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)) {
        throw new HttpError(400, 'invalid_setting', 'accessTokenTtlSeconds must be a whole number of seconds from 1 to 86400.');
      }
      if (publicClient !== undefined && typeof publicClient !== 'boolean') {
        throw new HttpError(400, 'invalid_setting', 'publicClient must be true or false.');
      }
      if (ttl !== undefined) settings.accessTokenTtlSeconds = ttl;
      if (publicClient !== undefined) settings.publicClient = publicClient;
      if (flow !== undefined) settings.flow = flow;
    },
  };
}
