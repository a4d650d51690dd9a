import { HttpError } from '@lab/kit';
import { createXrayKeySet } from './jwt-verifier.ts';
import { instrumentService, type InstrumentOptions, type ServiceInstruments } from './instrument-service.ts';

export interface ResourceApiInstrumentOptions extends Pick<InstrumentOptions, 'lab' | 'topology' | 'defences' | 'clock'> {
  /** The API's run settings: `PUT /_lab/settings` `{ publicClient }` (CORS for the app's origin in the anti-pattern mode). */
  readonly settings: { publicClient: boolean };
  /** The notes store: `DELETE /_lab/notes` puts every user's notes back to the seed. */
  readonly notes: { reset?(): Promise<void> | void };
  readonly jwksUrl: string;
}

/** LAB ONLY: the resource API's instruments: the trace, the control routes, its settings and a notes reset. */
export function instrumentResourceApi(options: ResourceApiInstrumentOptions): ServiceInstruments {
  const { settings } = options;
  return instrumentService({
    ...options,
    service: 'resource-api',
    // The X-ray's own check of the tokens it records (its own JWKS fetch, left out of the trace); the API's validation is its own.
    jwtKeys: createXrayKeySet(options.jwksUrl),
    extra: {
      read: () => ({ publicClient: settings.publicClient }),
      apply: (patch) => {
        if (patch.publicClient === undefined) return;
        if (typeof patch.publicClient !== 'boolean') throw new HttpError(400, 'invalid_setting', 'publicClient must be true or false.');
        settings.publicClient = patch.publicClient;
      },
    },
    extraRoutes: (router) => {
      // Every user's notes back to the seed, so that each scenario run starts alike.
      router.delete('/notes', async (ctx) => {
        await options.notes.reset?.();
        ctx.status = 204;
      });
    },
  });
}
