import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { startLab } from '@lab/launcher';
import { DEMO_USERS, type LabTopology } from '@lab/shared';
import { BENCH_LOG_DIR, makeBenchEnv } from './bench-env.ts';
import { ProcessInspector, type MemoryReading } from './inspect-memory.ts';
import { readRedisMemory, type RedisMemoryReading } from './redis-memory.ts';
import { runWorkers, type WorkerRun } from './run-workers.ts';
import type { HttpUserAgent } from '../../e2e/support/http-sign-in.ts';
import { signInAgain, signInNewBrowser } from './sign-in.ts';

/** How often the BFF's session and token stores drop expired entries (bff/src/expiring-map.ts). */
const SWEEP_EVERY_MS = 30_000;
/**
 * Sign-ins before the baseline. The BFF records three exchanges per SSO sign-in (`/bff/login`,
 * `/bff/callback`, the token request) and its trace store keeps 2,000: 700 fill it (2,110), so
 * that it is a constant by the baseline. 300, as until 2026-11-30, left it at 910, and the rest
 * of it (about 4 MB) was counted as the sessions' and seemed kept after they expired.
 */
const WARM_UP_SIGN_INS = 700;

export interface SessionMemory {
  /** Where the BFF kept its sessions and tokens: its own memory (the default) or the run's Redis. */
  readonly store: SessionStoreKind;
  /** With `store: 'redis'`: what Redis held at each reading (baseline, signed in, expired). */
  readonly redis?: { readonly baseline: RedisMemoryReading; readonly signedIn: RedisMemoryReading; readonly expired: RedisMemoryReading };
  readonly ttlSeconds: number;
  /** The sign-ins that made the sessions (single sign-on: see `signInAgain`). */
  readonly signIns: WorkerRun;
  /** Sessions alive when the memory was read: signed in less than the TTL before. */
  readonly sessionsAlive: number;
  /** Sessions signed in at the baseline: three full sign-ins (the demo users), then the warm-up's. */
  readonly baselineSessions: number;
  readonly baseline: MemoryReading;
  readonly signedIn: MemoryReading;
  /** After every session's expiry and the store's next sweep. */
  readonly expired: MemoryReading;
  /** What the BFF's session store still lists then (expected: none). */
  readonly sessionsListedAfterExpiry: number;
}

export type SessionStoreKind = 'memory' | 'redis';

export interface SessionMemoryOptions {
  readonly store: SessionStoreKind;
  readonly sessions: number;
  readonly ttlSeconds: number;
  readonly concurrency: number;
}

/**
 * The BFF's memory for many signed-in sessions, in a lab of its own: a fresh BFF whose sessions
 * last `ttlSeconds` (BFF_SESSION_TTL), read from outside through its inspector. The sign-ins
 * stop in time for all of them to be alive at the reading (fewer than asked on a slow machine:
 * the report says how many). Then every session expires, the store's sweep runs, and the BFF is
 * read again: memory must come back down, or expired sessions are kept. With `store: 'redis'` the
 * sessions and tokens live in the run's Redis (the production shape), which is read too.
 */
export async function measureSessionMemory(options: SessionMemoryOptions): Promise<SessionMemory> {
  const env = makeBenchEnv({
    BFF_SESSION_TTL: String(options.ttlSeconds),
    // The production shape: the sessions and tokens in a real redis-server that the launcher starts.
    // Its port is the bench's REDIS_PORT (bench-env.ts), as the services' are theirs.
    ...(options.store === 'redis' ? { LAB_STORE: 'redis' } : {}),
    // Each service may open an inspector on a free port when sent SIGUSR1; only the BFF is.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect-port=0`.trim(),
  });
  const spawnedAt = Date.now();
  const lab = await startLab({ env, logDir: BENCH_LOG_DIR, timeoutMs: 60_000, services: ['authserver', 'resource-api', 'bff', 'spa'] });
  const healthyAt = Date.now();
  let inspector: ProcessInspector | undefined;
  try {
    inspector = await ProcessInspector.attach(path.join(lab.logDir, 'bff.log'), () => lab.signalService('bff', 'SIGUSR1'));
    const { topology } = lab;
    // One full sign-in per demo user: from then on the authorization server knows their browser.
    const signedIn: HttpUserAgent[] = [];
    const finishedAt: number[] = [];
    for (const user of DEMO_USERS) {
      signedIn.push(await signInNewBrowser(topology, user.username));
      finishedAt.push(Date.now());
    }
    // Sign-ins before the baseline: the first ones compile the code paths, and 700 fill
    // the trace stores of the X-ray (2,000 events each, then the oldest go), which are then a
    // constant, not a cost that looks like the sessions'.
    await runWorkers({ concurrency: options.concurrency, durationMs: 30_000, maxItems: WARM_UP_SIGN_INS }, (index) =>
      signInAgain(topology, signedIn[index % signedIn.length]!, DEMO_USERS[index % DEMO_USERS.length]!.username).then(() => finishedAt.push(Date.now())),
    );
    const readRedis = () => (options.store === 'redis' ? readRedisMemory(`redis://127.0.0.1:${env.REDIS_PORT}`, lab.pidOf('redis') ?? 0) : undefined);
    const baseline = await inspector.readMemory();
    const redisBaseline = await readRedis();
    const baselineSessions = finishedAt.length;

    const signIns = await runWorkers(
      // Stop early enough that the first session is still alive when the memory is read.
      {
        concurrency: options.concurrency,
        durationMs: Math.max(5_000, finishedAt[0]! + (options.ttlSeconds - 10) * 1000 - Date.now()),
        maxItems: options.sessions - baselineSessions,
      },
      async (index) => {
        const user = DEMO_USERS[index % DEMO_USERS.length]!;
        await signInAgain(topology, signedIn[index % signedIn.length]!, user.username);
        finishedAt.push(Date.now());
      },
    );
    const readAt = Date.now();
    const sessionsAlive = finishedAt.filter((at) => at > readAt - options.ttlSeconds * 1000).length;
    const withSessions = await inspector.readMemory();
    const redisSignedIn = await readRedis();

    // The sweep runs every 30 s from the BFF's start (between spawn and healthy): wait for the
    // first one after the last session's expiry, at the latest `healthyAt + k × 30 s`.
    const lastExpiry = readAt + options.ttlSeconds * 1000;
    const sweeps = Math.ceil((lastExpiry - spawnedAt) / SWEEP_EVERY_MS);
    await sleep(Math.max(0, healthyAt + sweeps * SWEEP_EVERY_MS + 2_000 - Date.now()));
    const expired = await inspector.readMemory();
    const redisExpired = await readRedis();
    const sessionsListedAfterExpiry = await countListedSessions(topology, env.LAB_CONTROL_KEY!);
    const redis = redisBaseline && redisSignedIn && redisExpired ? { baseline: redisBaseline, signedIn: redisSignedIn, expired: redisExpired } : undefined;
    return {
      store: options.store,
      redis,
      ttlSeconds: options.ttlSeconds,
      signIns,
      sessionsAlive,
      baselineSessions,
      baseline,
      signedIn: withSessions,
      expired,
      sessionsListedAfterExpiry,
    };
  } finally {
    inspector?.close();
    await lab.stop();
  }
}

/** How many sessions the BFF's store lists (the lab's breach route: its tokens are never printed). */
async function countListedSessions(topology: LabTopology, controlKey: string): Promise<number> {
  const response = await fetch(`${topology.bff.url}/_lab/session-store`, { headers: { 'X-Lab-Key': controlKey }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /_lab/session-store answered ${response.status}`);
  const body = (await response.json()) as { sessions: unknown[] };
  return body.sessions.length;
}
