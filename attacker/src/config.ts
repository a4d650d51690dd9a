import { loadLabRunConfig, resolveTopology, type LabRunConfig, type LabTopology } from '@lab/shared';

type Env = Readonly<Record<string, string | undefined>>;

export interface AttackerConfig {
  readonly host: string;
  readonly port: number;
  /** The attacker's own origin, `http://[::1]:6660`: a third site, cross-site to the app and the authserver. */
  readonly origin: string;
  readonly topology: LabTopology;
  readonly lab: LabRunConfig;
}

export function loadConfig(env: Env): AttackerConfig {
  const topology = resolveTopology(env);
  return {
    host: topology.attacker.host,
    port: topology.attacker.port,
    origin: topology.attacker.url,
    topology,
    lab: loadLabRunConfig(env),
  };
}
