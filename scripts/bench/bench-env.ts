import path from 'node:path';
import { makeLabEnv } from '@lab/launcher';

/**
 * The bench's own ports, apart from `npm start`'s (5173, 3000…), the tests' (15173, 13000… moved
 * by round offsets: LAB_TEST_PORT_OFFSET=20000 gives 35173, 33000…) and the ephemeral range
 * (32768 and up), so a lab in use or a test run on the same machine is left alone. Port
 * variables set in the environment win (`benchPorts`).
 */
export const BENCH_PORTS = {
  BFF_PORT: '31571',
  AUTHSERVER_PORT: '31572',
  API_PORT: '31573',
  SPA_PORT: '31574',
  ATTACKER_PORT: '31575',
  /** Only a lab with `LAB_STORE=redis` starts a Redis (the bench's memory line in the production shape). */
  REDIS_PORT: '31576',
} as const;

/** The profile's (scripts/profile-bff.ts), next to the bench's so that both can run at once. */
export const PROFILE_PORTS = {
  BFF_PORT: '31581',
  AUTHSERVER_PORT: '31582',
  API_PORT: '31583',
  SPA_PORT: '31584',
  ATTACKER_PORT: '31585',
  REDIS_PORT: '31586',
} as const;

/** scripts/measure-hook-cost.ts's, beside both; its BFF without the lab listens on BFF_PORT + 6. */
export const HOOK_COST_PORTS = {
  BFF_PORT: '31591',
  AUTHSERVER_PORT: '31592',
  API_PORT: '31593',
  SPA_PORT: '31594',
  ATTACKER_PORT: '31595',
  REDIS_PORT: '31596',
} as const;

const PORT_VARIABLES = ['BFF_PORT', 'AUTHSERVER_PORT', 'API_PORT', 'SPA_PORT', 'ATTACKER_PORT', 'REDIS_PORT'] as const;

/**
 * `defaults`, except where the environment names a port (`BFF_PORT=43000 npm run bench`): on a
 * machine shared by several people each one runs the bench on the ports they were given.
 */
export function benchPorts(defaults: Readonly<Record<(typeof PORT_VARIABLES)[number], string>>, env = process.env): Record<string, string> {
  return Object.fromEntries(PORT_VARIABLES.map((name) => [name, env[name] || defaults[name]]));
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Each service's output during the bench (one file per service), apart from `npm start`'s `.lab/logs`. */
export const BENCH_LOG_DIR = path.join(REPO_ROOT, '.lab', 'bench-logs');

/**
 * The environment of a bench lab: every defence on, the X-ray on (as by default), the BFF flow,
 * whatever the caller's shell says; `overrides` for what one measurement needs.
 */
export function makeBenchEnv(overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return makeLabEnv(process.env, {
    ...benchPorts(BENCH_PORTS),
    LAB_WEAKEN: '',
    LAB_MODE: '',
    LAB_FLOW: '',
    LAB_XRAY: 'on',
    LAB_XRAY_FULL: '',
    LAB_CONTROL_KEY: '',
    BFF_SESSION_TTL: '',
    ...overrides,
  });
}
