import path from 'node:path';
import { makeLabEnv } from '@lab/launcher';

/**
 * The bench's own ports, far from `npm start`'s (5173, 3000…) and the tests' (15173, 13000…, and
 * their offsets), so a lab in use or a test run on the same machine is left alone.
 */
export const BENCH_PORTS = {
  SPA_PORT: '35173',
  BFF_PORT: '33000',
  API_PORT: '34001',
  AUTHSERVER_PORT: '34000',
  ATTACKER_PORT: '36660',
} as const;

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Each service's output during the bench (one file per service), apart from `npm start`'s `.lab/logs`. */
export const BENCH_LOG_DIR = path.join(REPO_ROOT, '.lab', 'bench-logs');

/**
 * The environment of a bench lab: every defence on, the X-ray on (as by default), the BFF flow,
 * whatever the caller's shell says; `overrides` for what one measurement needs.
 */
export function makeBenchEnv(overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return makeLabEnv(process.env, {
    ...BENCH_PORTS,
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
