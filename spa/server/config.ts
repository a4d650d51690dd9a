import { ConfigError, bffInstancePorts, loadLabRunConfig, readBffInstances, resolveTopology, type LabRunConfig, type LabTopology } from '@lab/shared';

type Env = Readonly<Record<string, string | undefined>>;

/** Everything the SPA server needs, parsed once from the environment by `main.ts`. */
export interface SpaConfig {
  readonly topology: LabTopology;
  /**
   * Where `/bff/*` and `/api/*` go. The BFF binds to the IPv4 loopback only, so the target is
   * `127.0.0.1`, not `localhost` (which may resolve to `::1` first).
   */
  readonly bffTarget: string;
  /** Every BFF instance (`LAB_BFF_INSTANCES`, on consecutive ports from `BFF_PORT`); the first is `bffTarget`. */
  readonly bffTargets: readonly string[];
  /**
   * The lab run: defences switched off at start (`LAB_WEAKEN`; the SPA's own is `spa-csp`), the
   * mode the app starts in (`LAB_MODE`: `bff` or `public-client`), the control key (`LAB_CONTROL_KEY`).
   */
  readonly lab: LabRunConfig;
  /**
   * How the app is served (`LAB_SPA_SERVE`). `built` (the default): a production build of
   * `spa/src`, made once per version of the sources, as a real deployment serves its SPA: four
   * files instead of forty modules, so each page load costs the browser a third as much. `dev`:
   * Vite's dev server with hot reload, for editing the app while the lab runs.
   */
  readonly serve: SpaServe;
}

export const SPA_SERVE_MODES = ['built', 'dev'] as const;
export type SpaServe = (typeof SPA_SERVE_MODES)[number];

/** Parses and validates the environment; a bad value throws a `ConfigError` naming the variable. */
export function loadConfig(env: Env): SpaConfig {
  const topology = resolveTopology(env);
  return {
    topology,
    bffTarget: `http://127.0.0.1:${topology.bff.port}`,
    bffTargets: bffInstancePorts(topology.bff.port, readBffInstances(env)).map((port) => `http://127.0.0.1:${port}`),
    lab: loadLabRunConfig(env),
    serve: readServe(env),
  };
}

function readServe(env: Env): SpaServe {
  const raw = env.LAB_SPA_SERVE?.trim() || 'built';
  if (!(SPA_SERVE_MODES as readonly string[]).includes(raw)) {
    throw new ConfigError('LAB_SPA_SERVE', `expected ${SPA_SERVE_MODES.join(' or ')}, got "${env.LAB_SPA_SERVE}"`);
  }
  return raw as SpaServe;
}
