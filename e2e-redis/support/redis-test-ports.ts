import { TEST_PORTS } from '../../e2e/support/test-ports.ts';

/**
 * The ports of the Redis set-up's test lab: the shared test lab's ports + 700 (the faults lab uses
 * + 500), so both can run on one machine; the second BFF instance listens on BFF_PORT + 1. Its
 * Redis listens on 17090 (+ LAB_TEST_PORT_OFFSET), apart from any Redis of the machine (6379) and
 * of `npm start` (6390).
 */
const offset = Number.parseInt(process.env.LAB_TEST_PORT_OFFSET ?? '0', 10) || 0;

export function shiftedPorts(shift: number): Record<string, string> {
  const ports: Record<string, string> = Object.fromEntries(Object.entries(TEST_PORTS).map(([name, port]) => [name, String(Number(port) + shift)]));
  ports.REDIS_PORT = String(16390 + shift + offset);
  return ports;
}

export const REDIS_TEST_PORTS = shiftedPorts(700);
