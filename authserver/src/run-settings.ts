import type { LabFlow } from '@lab/shared';
import type { AuthServerConfig } from './config.ts';

/** What the lab can change while the authorization server runs (`PUT /_lab/settings`). */
export interface RunSettings {
  /** Lifetime of new access tokens, so a scenario can make them expire quickly. */
  accessTokenTtlSeconds: number;
  /**
   * Lifetime of each new refresh token (`ttl.RefreshToken`), so a scenario can make them expire
   * while the BFF's session lives. With rotation, each rotated token gets it afresh (provider.ts).
   */
  refreshTokenTtlSeconds: number;
  /** Whether the public client `spa-public` (the anti-pattern mode) may be used at all. */
  publicClient: boolean;
  /** Whether the BFF's second redirect URI, the SPA's `/callback` (the seed's variant), is accepted. */
  flow: LabFlow;
}

export function createRunSettings(config: AuthServerConfig): RunSettings {
  return {
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    publicClient: config.lab.mode === 'public-client',
    flow: config.lab.flow,
  };
}
