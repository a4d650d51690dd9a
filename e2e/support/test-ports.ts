/**
 * The ports of the lab started for the tests: not the defaults, so `npm start` can keep running.
 * `LAB_TEST_PORT_OFFSET` (default 0) moves them all, so that two test runs on one machine
 * (two checkouts, or a test run beside a load run) do not fight over the same ports.
 */
const offset = Number.parseInt(process.env.LAB_TEST_PORT_OFFSET ?? '0', 10) || 0;

export const TEST_PORTS = {
  SPA_PORT: String(15173 + offset),
  BFF_PORT: String(13000 + offset),
  API_PORT: String(14001 + offset),
  AUTHSERVER_PORT: String(14000 + offset),
  ATTACKER_PORT: String(16660 + offset),
} as const;

/** Where the test lab's service logs go: apart from `npm start`'s `.lab/logs`, and per offset. */
export const TEST_LOG_DIR_NAME = offset === 0 ? 'test-logs' : `test-logs-${offset}`;
