import { bffInstancePorts, loadLabRunConfig, readBffInstances, resolveTopology, type LabRunConfig, type LabTopology } from '@lab/shared';

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
}

/** Parses and validates the environment; a bad value throws a `ConfigError` naming the variable. */
export function loadConfig(env: Env): SpaConfig {
  const topology = resolveTopology(env);
  return {
    topology,
    bffTarget: `http://127.0.0.1:${topology.bff.port}`,
    bffTargets: bffInstancePorts(topology.bff.port, readBffInstances(env)).map((port) => `http://127.0.0.1:${port}`),
    lab: loadLabRunConfig(env),
  };
}
