import { createPooledRequest, type IncomingAnswer } from '@lab/kit';
import { LAB_KEY_HEADER, type LabTopology, type ServiceName } from '@lab/shared';
import type { LabClock } from './lab-clock.ts';

/**
 * LAB ONLY: the lab's time across its services (`/_lab/clock` of each), for the command line
 * (`npm run lab -- time`) and the instructor's X-ray.
 */

/**
 * The control calls go through Node's own HTTP client (kit's pooled request), not `fetch`: every
 * service reads the others' clocks when it starts (`catchUpLabClock`), and a first `fetch` loads
 * its machinery (an HTTP parser compiled to WebAssembly among it) into the service for good, which
 * the BFF otherwise never loads (docs/performance.md, "One HTTP client in the BFF").
 */
const sendControl = createPooledRequest();
/** How long a service may stay silent on a control call: one that is down or frozen is left out. */
const CONTROL_TIMEOUT_MS = 5_000;

function controlCall(url: string, controlKey: string, method: 'GET' | 'PUT', body?: string): Promise<IncomingAnswer> {
  const headers = { [LAB_KEY_HEADER]: controlKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return sendControl(new URL(url), { method, headers, body, timeoutMs: CONTROL_TIMEOUT_MS });
}

/** The services that run on the lab's clock (the app's origin only serves files). */
export const CLOCKED: readonly ServiceName[] = ['authserver', 'bff', 'resource-api', 'attacker'];

export interface ServiceClock {
  readonly service: ServiceName;
  readonly now: string;
  readonly offsetSeconds: number;
  /** The same, to the millisecond (after a hold it is no whole number of seconds). */
  readonly offsetMs?: number;
  /** Whether the lab's time stands still in this service (step mode holds it between steps). */
  readonly held?: boolean;
  /** After a move: what of the service's state ended in the jump, by kind. */
  readonly expired?: Readonly<Record<string, number>>;
  /** The port of a BFF instance, when several serve the app. */
  readonly instance?: string;
}

/** Where each clocked service answers: the four services, and every BFF instance when several serve the app. */
interface ClockTarget {
  readonly service: ServiceName;
  readonly url: string;
  readonly instance?: string;
}

async function clockedUrls(topology: LabTopology, controlKey: string): Promise<ClockTarget[]> {
  const targets: ClockTarget[] = CLOCKED.map((service) => ({ service, url: topology[service].url }));
  try {
    // Several BFF instances (the Redis set-up): each runs on its own clock, and all move together.
    const answer = await controlCall(`${topology.bff.url}/_lab/store`, controlKey, 'GET');
    const { instances } = answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { instances?: unknown }) : {};
    for (const url of Array.isArray(instances) ? instances : []) {
      if (typeof url === 'string' && !targets.some((target) => new URL(target.url).port === new URL(url).port)) targets.push({ service: 'bff', url });
    }
  } catch {
    // One BFF, or it is down: its siblings are not known.
  }
  const bffs = targets.filter((target) => target.service === 'bff');
  return bffs.length > 1 ? targets.map((target) => (target.service === 'bff' ? { ...target, instance: new URL(target.url).port } : target)) : targets;
}

/** The lab's time in each clocked service (`GET /_lab/clock`); a service that is down is left out. */
export async function readLabClocks(topology: LabTopology, controlKey: string): Promise<ServiceClock[]> {
  const targets = await clockedUrls(topology, controlKey);
  const clocks = await Promise.all(targets.map((target) => callClock(target, controlKey, 'GET')));
  return clocks.filter((clock): clock is ServiceClock => clock !== undefined);
}

/**
 * Moves every clocked service's time `seconds` forward, together: to the same offset, counted
 * from the one furthest ahead (a service that restarted meanwhile catches up). Returns what each
 * one reports as expired in the jump.
 */
export async function moveLabTime(topology: LabTopology, controlKey: string, seconds: number): Promise<ServiceClock[]> {
  const targets = await clockedUrls(topology, controlKey);
  const before = (await Promise.all(targets.map(async (target) => ({ target, clock: await callClock(target, controlKey, 'GET') })))).filter(
    (entry) => entry.clock !== undefined,
  );
  // Rounded up: after a hold a service may be a fraction of a second further ahead than its offsetSeconds says.
  const ahead = (clock: ServiceClock | undefined) => (clock?.offsetMs === undefined ? (clock?.offsetSeconds ?? 0) : Math.ceil(clock.offsetMs / 1000));
  const offsetSeconds = Math.max(0, ...before.map((entry) => ahead(entry.clock))) + seconds;
  const moved = await Promise.all(before.map((entry) => callClock(entry.target, controlKey, 'PUT', JSON.stringify({ offsetSeconds }))));
  return moved.filter((clock): clock is ServiceClock => clock !== undefined);
}

/**
 * Holds the lab's time in every clocked service (`held`: step mode, between two steps), or lets it
 * run on from where it stood. A hold lasts two minutes unless this is called again (the holder
 * renews it while it waits); it needs the lab's time ahead of real time (`PUT /_lab/clock` answers
 * 409 `clock_not_ahead` otherwise, and this throws).
 */
export async function holdLabTime(topology: LabTopology, controlKey: string, held: boolean): Promise<ServiceClock[]> {
  const targets = await clockedUrls(topology, controlKey);
  const clocks = await Promise.all(targets.map((target) => callClock(target, controlKey, 'PUT', JSON.stringify({ held }))));
  return clocks.filter((clock): clock is ServiceClock => clock !== undefined);
}

async function callClock(target: ClockTarget, controlKey: string, method: 'GET' | 'PUT', body?: string): Promise<ServiceClock | undefined> {
  let answer: IncomingAnswer;
  try {
    answer = await controlCall(`${target.url}/_lab/clock`, controlKey, method, body);
  } catch {
    return undefined; // down (the attacker is optional)
  }
  const text = answer.body.toString('utf8');
  if (answer.status !== 200) throw new Error(`${method} ${target.service} ${target.url}/_lab/clock answered ${answer.status}: ${text}`);
  const clock = JSON.parse(text) as ServiceClock;
  // Instances of one service (several BFFs) are told apart by their port.
  return target.instance ? { ...clock, instance: target.instance } : clock;
}

/**
 * A service that starts while the lab's time is ahead (it was restarted after a move) takes the
 * offset of the others, so that all keep one time: otherwise it would issue or judge tokens on
 * real time while the rest run ahead. Best effort, at start: a service that is alone stays on
 * real time until the next move brings it along.
 */
export async function catchUpLabClock(clock: LabClock, topology: LabTopology, controlKey: string): Promise<void> {
  try {
    const clocks = await readLabClocks(topology, controlKey);
    const aheadMs = Math.max(0, ...clocks.map((other) => other.offsetMs ?? other.offsetSeconds * 1000));
    if (aheadMs > clock.offsetMs) clock.moveTo(aheadMs);
  } catch {
    // The others cannot be read now: the next move of the lab's time brings this one along.
  }
}
