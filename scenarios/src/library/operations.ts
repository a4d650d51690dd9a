import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import type { LabConnection } from '../engine/lab-connection.ts';
import type { ScenarioSetup } from '../engine/scenario.ts';
import { fieldsOf } from './exchanges.ts';

/** The set-up of the operations scenarios: Redis, and two BFF instances behind the app's origin. */
export const PRODUCTION_SHAPE: ScenarioSetup = { store: 'redis', bffInstances: 2 };

/** One process of the lab as its own control route describes it. */
export interface LabProcess {
  readonly service: string;
  readonly instance?: string;
  readonly pid: number;
}

/** Which process answers at `url` now (`GET /_lab/process`). */
export async function processAt(lab: LabConnection, url: string): Promise<LabProcess> {
  return (await (await lab.controlAt(url, '/process')).json()) as LabProcess;
}

/**
 * Kills a process of the lab the way a crash or the kernel's out-of-memory killer does: SIGKILL,
 * no chance to clean up. The lab runs on this machine, so the scenario can send the signal itself.
 */
export function kill(process_: LabProcess): void {
  process.kill(process_.pid, 'SIGKILL');
}

/** Waits until `url/healthz` answers 200 again (the launcher restarts what exits by itself). */
export async function waitUntilHealthy(url: string, withinMs = 20_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok) return Date.now() - started;
    } catch {
      // still down
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come back within ${withinMs / 1000} s`);
}

/** The refresh_token grants the authorization server itself received, whichever BFF instance sent them. */
export function refreshGrantsAtAuthserver(exchanges: readonly TraceEvent[]): TraceEvent[] {
  return exchanges.filter(
    (event) =>
      event.service === 'authserver' &&
      event.direction === 'inbound' &&
      new URL(event.url).pathname === '/token' &&
      fieldsOf(event.requestBody).grant_type === 'refresh_token',
  );
}

/** What one BFF instance served since `after` (its own trace, read through its own control route). */
export async function servedBy(lab: LabConnection, instanceUrl: string, after: number): Promise<{ lastSeq: number; events: TraceEvent[] }> {
  const page = (await (await lab.controlAt(instanceUrl, `/trace?after=${after}`)).json()) as { lastSeq: number; events: TraceEvent[] };
  return { lastSeq: page.lastSeq, events: page.events.filter((event) => event.direction === 'inbound') };
}

/** The pid of the run's redis-server, as Redis itself reports it (`INFO server`). */
export async function redisPid(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, commandTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = await client.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error('Redis did not report its process id');
    return pid;
  } finally {
    client.disconnect();
  }
}

/** One call as the app makes it (from the page, with X-CSRF), and how long it took. */
export interface AppCall {
  readonly status: number;
  readonly error?: string;
  readonly ms: number;
}

/** `count` calls at once from the app's page, as its own script makes them (same origin, `X-CSRF: 1`). */
export async function callFromPage(page: Page, path: string, count = 1): Promise<AppCall[]> {
  return page.evaluate(
    async ({ path, count }) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const started = performance.now();
          const response = await fetch(path, { headers: { 'X-CSRF': '1' } });
          const body = (await response.json().catch(() => ({}))) as { error?: string };
          return { status: response.status, ...(body.error ? { error: body.error } : {}), ms: Math.round(performance.now() - started) };
        }),
      ),
    { path, count },
  );
}
