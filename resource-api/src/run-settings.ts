import { HttpError, type ExtraSettings } from '@lab/shared';
import type { ResourceApiConfig } from './config.ts';

/** What the lab can change while the API runs (`PUT /_lab/settings`). */
export interface RunSettings {
  /**
   * The anti-pattern mode: the SPA calls this API itself from the browser, with the token it
   * keeps, so the API must answer CORS for the app's origin. Off with the BFF (server to server).
   */
  publicClient: boolean;
}

export function createRunSettings(config: ResourceApiConfig): RunSettings {
  return { publicClient: config.lab.mode === 'public-client' };
}

/** The settings as the control routes' `extra` members: `{ publicClient }`. */
export function controlRunSettings(settings: RunSettings): ExtraSettings {
  return {
    read: () => ({ publicClient: settings.publicClient }),
    apply: (patch) => {
      if (patch.publicClient === undefined) return;
      if (typeof patch.publicClient !== 'boolean') throw new HttpError(400, 'invalid_setting', 'publicClient must be true or false.');
      settings.publicClient = patch.publicClient;
    },
  };
}
