import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { ServiceHook } from '@lab/kit';
import { partyOfUrl, type DefenceSwitches, type LabRunConfig, type LabTopology, type ServiceName } from '@lab/shared';
import type { JWTVerifyGetKey } from 'jose';
import { createJwtVerifier } from './jwt-verifier.ts';
import type { LabClock } from './lab-clock.ts';
import { catchUpLabClock } from './lab-time.ts';
import { labControlMiddleware, type ExtraSettings } from './lab-control.ts';
import { TraceRecorder } from './trace.ts';
import { traceRequests } from './trace-middleware.ts';
import { createTracedFetch, createTracedRequest } from './traced-fetch.ts';

export interface InstrumentOptions {
  readonly service: ServiceName;
  readonly lab: LabRunConfig;
  readonly topology: LabTopology;
  /** The service's defence switches: `PUT /_lab/settings` `{ weakened }` sets them. */
  readonly defences: DefenceSwitches;
  /** Where the X-ray checks the signatures of the JWTs this service sees (shown as `verified`). */
  readonly jwtKeys?: JWTVerifyGetKey;
  /** The service's own settings the lab may change (`PUT /_lab/settings`). */
  readonly extra?: ExtraSettings;
  /** More `/_lab/*` routes of this service, behind the same key. */
  readonly extraRoutes?: (router: Router) => void;
  /** The lab's clock, when this process runs on it (`installLabClock` in `main.ts`): `/_lab/clock`. */
  readonly clock?: LabClock;
  /** What of the service's state ends between two lab times, by kind (reported when the clock moves). */
  readonly expiring?: (fromMs: number, toMs: number) => Promise<Record<string, number>> | Record<string, number>;
}

export interface ServiceInstruments {
  /** What the service's `createApp` takes: its one attachment point. */
  readonly hook: ServiceHook & { readonly middleware: Middleware };
  readonly recorder: TraceRecorder;
}

/**
 * LAB ONLY: the lab's instruments for one service, through the service's hook: its trace (every
 * request it serves and every call it makes, through the traced `fetch` and pooled request) and
 * the `/_lab/*` control routes (only with the run's control key). A service given no hook has
 * none of this.
 */
export function instrumentService(options: InstrumentOptions): ServiceInstruments {
  const recorder = new TraceRecorder(options.service);
  recorder.fullView = options.lab.fullView;
  if (options.jwtKeys) recorder.verifier = createJwtVerifier({ issuer: options.topology.authserver.url, keys: options.jwtKeys });
  const partyOf = (url: URL) => partyOfUrl(options.topology, url);
  // A service restarted after the lab's time moved takes the others' time (lab-time.ts).
  if (options.clock && options.lab.controlKey) void catchUpLabClock(options.clock, options.topology, options.lab.controlKey);
  const trace = traceRequests(recorder, options.service);
  const control = labControlMiddleware({
    key: options.lab.controlKey,
    defences: options.defences,
    recorder,
    extra: options.extra,
    extraRoutes: options.extraRoutes,
    clock: options.clock,
    expiring: options.expiring,
  });
  return {
    recorder,
    hook: {
      middleware: chain(control, trace),
      fetch: createTracedFetch(recorder, options.service, partyOf),
      request: createTracedRequest(recorder, options.service, partyOf),
    },
  };
}

/** Koa middleware, one after the other, as one (Koa's own `koa-compose`). */
export function chain(...middleware: Middleware[]): Middleware {
  return compose(middleware);
}
