import { ConfigError, readInteger } from './config-error.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the stateful services keep their state in this run (`LAB_STORE`):
 * - `memory` (default): each process's own memory. Simple, and lost when that process restarts.
 * - `redis`: a `redis-server` the launcher starts for the run, on a loopback port of its own
 *   (`REDIS_PORT`). The BFF's sessions and tokens and the authorization server's grants live
 *   there, so a restarted process, or another BFF instance, finds them: the production shape.
 */
export type LabStore = { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly port: number; readonly url: string };

export const DEFAULT_REDIS_PORT = 6390;

export function readLabStore(env: Env): LabStore {
  const raw = env.LAB_STORE?.trim() || 'memory';
  if (raw === 'memory') return { kind: 'memory' };
  if (raw !== 'redis') throw new ConfigError('LAB_STORE', `expected memory or redis, got "${raw}"`);
  const port = readInteger(env, 'REDIS_PORT', DEFAULT_REDIS_PORT, 1, 65535);
  return { kind: 'redis', port, url: `redis://127.0.0.1:${port}` };
}

/** The most BFF instances one lab runs (`LAB_BFF_INSTANCES`): enough to show a fleet, few enough for a laptop. */
export const MAX_BFF_INSTANCES = 8;

/**
 * How many BFF processes serve the app (`LAB_BFF_INSTANCES`, default 1), on consecutive ports from
 * `BFF_PORT`. Two or more must share their sessions and tokens, so they need `LAB_STORE=redis`:
 * with the in-memory store each instance would know only its own users.
 */
export function readBffInstances(env: Env): number {
  const count = readInteger(env, 'LAB_BFF_INSTANCES', 1, 1, MAX_BFF_INSTANCES);
  if (count > 1 && readLabStore(env).kind !== 'redis') {
    throw new ConfigError('LAB_BFF_INSTANCES', `${count} BFF instances must share one session store: set LAB_STORE=redis as well`);
  }
  return count;
}

/** The ports of the BFF instances: `BFF_PORT`, `BFF_PORT + 1`, ... */
export function bffInstancePorts(basePort: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => basePort + index);
}

/** The name an instance goes by in logs and in the X-ray: `bff#1`, `bff#2`... (`LAB_BFF_INSTANCE`, set by the launcher). */
export function readBffInstanceName(env: Env): string | undefined {
  const raw = env.LAB_BFF_INSTANCE?.trim();
  if (raw === undefined || raw === '') return undefined;
  const index = readInteger(env, 'LAB_BFF_INSTANCE', 1, 1, MAX_BFF_INSTANCES);
  return `bff#${index}`;
}
