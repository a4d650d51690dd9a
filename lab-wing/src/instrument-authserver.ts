import { HttpError } from '@lab/kit';
import { isLabFlow, type LabFlow } from '@lab/shared';
import type { JWTVerifyGetKey } from 'jose';
import { instrumentService, type InstrumentOptions, type ServiceInstruments } from './instrument-service.ts';
import { combineSettings, reportFixedLifetimes } from './lifetime-settings.ts';

/** The authorization server's run settings, as the lab may change them. */
export interface AuthServerLabSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  publicClient: boolean;
  flow: LabFlow;
}

/** The bounds of `refreshTokenTtlSeconds`: those of `REFRESH_TOKEN_TTL` (authserver/src/config.ts). */
export const REFRESH_TOKEN_TTL_RANGE = { min: 60, max: 30 * 86_400 } as const;

export interface AuthServerInstrumentOptions extends Pick<InstrumentOptions, 'lab' | 'topology' | 'defences' | 'clock' | 'expiring'> {
  readonly settings: AuthServerLabSettings;
  /** Its own signing keys: it checks its tokens for the X-ray without a request. */
  readonly jwtKeys: JWTVerifyGetKey;
  /** The lifetime of its sessions (`ttl.Session`), reported (read-only) in `GET /_lab/settings`. */
  readonly sessionTtlSeconds: number;
}

/**
 * LAB ONLY: the authorization server's instruments: the trace, the control routes, and its run
 * settings `{ accessTokenTtlSeconds, refreshTokenTtlSeconds, publicClient, flow }` (`PUT /_lab/settings`),
 * with `sessionTtlSeconds` reported beside them.
 */
export function instrumentAuthServer(options: AuthServerInstrumentOptions): ServiceInstruments {
  const { settings } = options;
  const { min, max } = REFRESH_TOKEN_TTL_RANGE;
  return instrumentService({
    ...options,
    service: 'authserver',
    extra: combineSettings(
      reportFixedLifetimes({ sessionTtlSeconds: { seconds: options.sessionTtlSeconds, setBy: "the authorization server's ttl.Session" } }),
      {
        read: () => ({
          accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
          refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
          publicClient: settings.publicClient,
          flow: settings.flow,
        }),
        apply: (patch) => {
          const { accessTokenTtlSeconds: ttl, refreshTokenTtlSeconds: refreshTtl, publicClient, flow } = patch;
          // Every member checked before any changes.
          if (flow !== undefined && !isLabFlow(flow)) throw new HttpError(400, 'invalid_setting', 'flow must be "recommended" or "seed".');
          if (ttl !== undefined && !isWholeNumber(ttl, 1, 86_400)) {
            throw new HttpError(400, 'invalid_setting', 'accessTokenTtlSeconds must be a whole number of seconds from 1 to 86400.');
          }
          if (refreshTtl !== undefined && !isWholeNumber(refreshTtl, min, max)) {
            throw new HttpError(400, 'invalid_setting', `refreshTokenTtlSeconds must be a whole number of seconds from ${min} to ${max}.`);
          }
          if (publicClient !== undefined && typeof publicClient !== 'boolean') {
            throw new HttpError(400, 'invalid_setting', 'publicClient must be true or false.');
          }
          if (ttl !== undefined) settings.accessTokenTtlSeconds = ttl;
          if (refreshTtl !== undefined) settings.refreshTokenTtlSeconds = refreshTtl;
          if (publicClient !== undefined) settings.publicClient = publicClient;
          if (flow !== undefined) settings.flow = flow;
        },
      },
    ),
  });
}

function isWholeNumber(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
