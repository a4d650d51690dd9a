import { LAB_KEY_HEADER, type LabTopology, type ServiceName } from '@lab/shared';

/**
 * LAB ONLY: the lab's time across its services (`/_lab/clock` of each), for the command line
 * (`npm run lab -- time`) and the instructor's X-ray.
 */

/** The services that run on the lab's clock (the app's origin only serves files). */
export const CLOCKED: readonly ServiceName[] = ['authserver', 'bff', 'resource-api', 'attacker'];

export interface ServiceClock {
  readonly service: ServiceName;
  readonly now: string;
  readonly offsetSeconds: number;
  /** After a move: what of the service's state ended in the jump, by kind. */
  readonly expired?: Readonly<Record<string, number>>;
}

/** The lab's time in each clocked service (`GET /_lab/clock`); a service that is down is left out. */
export async function readLabClocks(topology: LabTopology, controlKey: string): Promise<ServiceClock[]> {
  const clocks = await Promise.all(CLOCKED.map((service) => callClock(topology, controlKey, service, 'GET')));
  return clocks.filter((clock): clock is ServiceClock => clock !== undefined);
}

/**
 * Moves every clocked service's time `seconds` forward, together: to the same offset, counted
 * from the one furthest ahead (a service that restarted meanwhile catches up). Returns what each
 * one reports as expired in the jump.
 */
export async function moveLabTime(topology: LabTopology, controlKey: string, seconds: number): Promise<ServiceClock[]> {
  const before = await readLabClocks(topology, controlKey);
  const offsetSeconds = Math.max(0, ...before.map((clock) => clock.offsetSeconds)) + seconds;
  const moved = await Promise.all(before.map((clock) => callClock(topology, controlKey, clock.service, 'PUT', JSON.stringify({ offsetSeconds }))));
  return moved.filter((clock): clock is ServiceClock => clock !== undefined);
}

async function callClock(
  topology: LabTopology,
  controlKey: string,
  service: ServiceName,
  method: 'GET' | 'PUT',
  body?: string,
): Promise<ServiceClock | undefined> {
  let response: Response;
  try {
    response = await fetch(`${topology[service].url}/_lab/clock`, {
      method,
      body,
      headers: { [LAB_KEY_HEADER]: controlKey, 'Content-Type': 'application/json' },
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    return undefined; // down (the attacker is optional)
  }
  if (!response.ok) throw new Error(`${method} ${service} /_lab/clock answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ServiceClock;
}
