import type { LabFlow } from '@lab/shared';
import { createXrayKeySet } from './jwt-verifier.ts';
import { controlFlowSetting } from './flow-setting-control.ts';
import { chain, instrumentService, type InstrumentOptions, type ServiceInstruments } from './instrument-service.ts';
import { addSessionStoreBreach, type BreachableStores } from './session-store-breach.ts';
import { createXrayFeed, type TraceFeed, type TraceFeedOptions } from './xray/trace-feed.ts';
import { serveXray, type XrayClockControl } from './xray/xray-routes.ts';
import { ScenarioLauncher, type ScenarioLauncherOptions } from './xray/scenario-launcher.ts';
import { moveLabTime } from './lab-time.ts';
import { addStoreInfo, type BffInstanceInfo } from './store-info.ts';
import { combineSettings, reportFixedLifetimes } from './lifetime-settings.ts';

export interface BffInstrumentOptions extends Pick<InstrumentOptions, 'lab' | 'topology' | 'defences' | 'clock'> {
  /** The flow the BFF runs; `PUT /_lab/settings` `{ flow }` switches it. */
  readonly flow: { current: LabFlow };
  /** `BFF_SESSION_IDLE` and `BFF_SESSION_TTL`, reported (read-only) in `GET /_lab/settings`. */
  readonly sessionIdleSeconds: number;
  readonly sessionTtlSeconds: number;
  /** The BFF's stores, for the session-store breach (`GET /_lab/session-store`). */
  readonly stores: BreachableStores;
  /** Which instance this is and where its sessions live (`GET /_lab/store`; the X-ray's events name the instance). */
  readonly instance?: BffInstanceInfo;
  readonly log?: (line: string) => void;
  /** Tests: other peers or timings for the X-ray's feed. */
  readonly feed?: Partial<Omit<TraceFeedOptions, 'recorder'>>;
  /** Tests: another scenario command line, or timeout, for the instructor's scenario launcher. */
  readonly scenarios?: Omit<ScenarioLauncherOptions, 'log'>;
}

export interface BffInstruments extends ServiceInstruments {
  /** The X-ray's merged trace, when the X-ray is on. */
  readonly xrayFeed: TraceFeed | undefined;
  /** Ends the X-ray's streams (they would keep the server open) and a scenario the X-ray runs. */
  close(): void;
}

/**
 * LAB ONLY: the BFF's instruments. Besides the trace and the control routes of every service: the
 * flow switch, the session-store breach, and the X-ray, served in front of the trace so that it
 * does not record itself watching (and the control key sent to it never enters the trace).
 */
export function instrumentBff(options: BffInstrumentOptions): BffInstruments {
  const issuer = options.topology.authserver.url;
  const base = instrumentService({
    ...options,
    service: 'bff',
    // The X-ray shows whether each token it records was signed by the authorization server (its JWKS, fetched apart from the flow).
    jwtKeys: createXrayKeySet(`${issuer}/jwks`),
    extra: combineSettings(
      reportFixedLifetimes({
        sessionIdleSeconds: { seconds: Math.min(options.sessionIdleSeconds, options.sessionTtlSeconds), setBy: 'BFF_SESSION_IDLE' },
        sessionTtlSeconds: { seconds: options.sessionTtlSeconds, setBy: 'BFF_SESSION_TTL' },
      }),
      controlFlowSetting(options.flow),
    ),
    extraRoutes: (router) => {
      addSessionStoreBreach(router, options.stores);
      if (options.instance) addStoreInfo(router, options.instance);
    },
    expiring: (fromMs, toMs) => countExpiring(options.stores, fromMs, toMs),
  });
  base.recorder.instance = options.instance?.name;
  const siblingUrls = options.instance?.siblingUrls ?? [];
  // While the lab's clock is held (step mode, between steps) `Date` stands still: the X-ray's events
  // settle against a time that goes on, so that the last exchanges of a step are shown while the
  // instructor talks about them.
  const { clock: labClock } = options;
  const settleClock = labClock ? { now: () => Date.now() + labClock.heldForMs } : {};
  const xrayFeed = options.lab.xray ? createXrayFeed({ ...options, siblingUrls }, base.recorder, { ...settleClock, ...options.feed }) : undefined;
  const log = options.log ?? ((line: string) => console.error(line));
  const clock = xrayClockOf(options);
  // The instructor's scenario launcher: only with the run's control key, which the scenario CLI needs too.
  const scenarios = xrayFeed && options.lab.controlKey ? new ScenarioLauncher({ ...options.scenarios, log }) : undefined;
  const middleware = xrayFeed ? chain(serveXray(xrayFeed, options.defences, log, clock, scenarios), base.hook.middleware) : base.hook.middleware;
  const close = () => {
    scenarios?.close();
    xrayFeed?.close();
  };
  return { ...base, hook: { ...base.hook, middleware }, xrayFeed, close };
}

/**
 * The BFF's sessions and access tokens that end between two lab times (`PUT /_lab/clock` reports
 * them). A session ends at the earlier of koa-session's `_expire` (its absolute end) and its idle
 * deadline (`idleExpiresAt`).
 */
async function countExpiring(stores: BreachableStores, fromMs: number, toMs: number): Promise<Record<string, number>> {
  const within = (at: unknown) => typeof at === 'number' && at > fromMs && at <= toMs;
  const sessions = (await stores.sessions.list?.()) ?? [];
  const tokens = (await stores.tokens.list?.()) ?? [];
  const endOf = (data: unknown) => {
    const { _expire, idleExpiresAt } = data as { _expire?: unknown; idleExpiresAt?: unknown };
    const ends = [_expire, idleExpiresAt].filter((at): at is number => typeof at === 'number');
    return ends.length > 0 ? Math.min(...ends) : undefined;
  };
  return {
    'BFF sessions': sessions.filter(({ data }) => within(endOf(data))).length,
    'access tokens (held by the BFF)': tokens.filter(({ tokens: held }) => within((held as { accessTokenExpiresAt?: unknown }).accessTokenExpiresAt)).length,
  };
}

/** The instructor's time control: every service's `/_lab/clock`, this BFF's included, with the run's key. */
function xrayClockOf(options: BffInstrumentOptions): XrayClockControl | undefined {
  const { clock } = options;
  const key = options.lab.controlKey;
  if (!clock || !key) return undefined;
  return {
    offsetSeconds: () => Math.round(clock.offsetMs / 1000),
    held: () => clock.held,
    advance: async (seconds) => {
      const moved = await moveLabTime(options.topology, key, seconds);
      return {
        offsetSeconds: Math.max(0, ...moved.map((service) => service.offsetSeconds)),
        expired: Object.fromEntries(moved.map((service) => [service.service, service.expired ?? {}])),
      };
    },
  };
}
