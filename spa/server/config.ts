import { parseDefenceList, resolveTopology, type LabTopology } from '@lab/shared';

type Env = Readonly<Record<string, string | undefined>>;

/** Everything the SPA server needs, parsed once from the environment by `main.ts`. */
export interface SpaConfig {
  readonly topology: LabTopology;
  /**
   * Where `/bff/*` and `/api/*` go. The BFF binds to the IPv4 loopback only, so the target is
   * `127.0.0.1`, not `localhost` (which may resolve to `::1` first).
   */
  readonly bffTarget: string;
  /** Off when the defence `spa-csp` is weakened (`LAB_WEAKEN=spa-csp`): no Content-Security-Policy header. */
  readonly contentSecurityPolicy: boolean;
}

/** Parses and validates the environment; a bad value throws a `ConfigError` naming the variable. */
export function loadConfig(env: Env): SpaConfig {
  const topology = resolveTopology(env);
  const weakened = parseDefenceList(env.LAB_WEAKEN);
  return {
    topology,
    bffTarget: `http://127.0.0.1:${topology.bff.port}`,
    contentSecurityPolicy: !weakened.includes('spa-csp'),
  };
}
