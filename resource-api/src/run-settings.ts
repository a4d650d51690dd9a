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
