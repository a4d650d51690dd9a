/** What one scenario run against a mutant's lab came to (no expectation values: they may hold tokens). */
export interface ScenarioOutcome {
  readonly id: string;
  readonly pass: boolean;
  /** The error that stopped the run, if one did. */
  readonly error?: string;
  /** The names of the expectations that did not hold. */
  readonly failed: readonly string[];
  readonly durationMs: number;
}

/** What `run-mutant.ts` writes to its `--out` file. */
export interface MutantRunFile {
  /** Set when the lab did not start. */
  readonly labError?: string;
  readonly outcomes: readonly ScenarioOutcome[];
}

/**
 * The mutation run's lab, far from the ports of `npm start` (5173…), of the tests (their offsets)
 * and of the benchmarks. `LAB_MUTATION_PORT_OFFSET` moves all five.
 */
const PORTS = { SPA_PORT: 45173, BFF_PORT: 43000, API_PORT: 44001, AUTHSERVER_PORT: 44000, ATTACKER_PORT: 46660 } as const;

export function mutationLabPorts(env: Readonly<Record<string, string | undefined>>): Record<keyof typeof PORTS, string> {
  const offset = Number(env.LAB_MUTATION_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < -40_000 || offset > 19_000) {
    throw new Error(`LAB_MUTATION_PORT_OFFSET: expected an integer between -40000 and 19000, got "${env.LAB_MUTATION_PORT_OFFSET}"`);
  }
  return Object.fromEntries(Object.entries(PORTS).map(([name, port]) => [name, String(port + offset)])) as Record<keyof typeof PORTS, string>;
}
