import { HttpError } from '@lab/kit';
import { isLabFlow, type LabFlow } from '@lab/shared';
import type { JWTVerifyGetKey } from 'jose';
import { instrumentService, type InstrumentOptions, type ServiceInstruments } from './instrument-service.ts';

/** The authorization server's run settings, as the lab may change them. */
export interface AuthServerLabSettings {
  accessTokenTtlSeconds: number;
  publicClient: boolean;
  flow: LabFlow;
}

export interface AuthServerInstrumentOptions extends Pick<InstrumentOptions, 'lab' | 'topology' | 'defences' | 'clock' | 'expiring'> {
  readonly settings: AuthServerLabSettings;
  /** Its own signing keys: it checks its tokens for the X-ray without a request. */
  readonly jwtKeys: JWTVerifyGetKey;
}

/**
 * LAB ONLY: the authorization server's instruments: the trace, the control routes, and its run
 * settings `{ accessTokenTtlSeconds, publicClient, flow }` (`PUT /_lab/settings`).
 */
export function instrumentAuthServer(options: AuthServerInstrumentOptions): ServiceInstruments {
  const { settings } = options;
  return instrumentService({
    ...options,
    service: 'authserver',
    extra: {
      read: () => ({ accessTokenTtlSeconds: settings.accessTokenTtlSeconds, publicClient: settings.publicClient, flow: settings.flow }),
      apply: (patch) => {
        const { accessTokenTtlSeconds: ttl, publicClient, flow } = patch;
        // Every member checked before any changes.
        if (flow !== undefined && !isLabFlow(flow)) throw new HttpError(400, 'invalid_setting', 'flow must be "recommended" or "seed".');
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
    },
  });
}
