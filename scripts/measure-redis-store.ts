/**
 * The Redis set-up's cost, in two figures (issue 12), printed as Markdown:
 * 1. the BFF path (`GET /api/notes` straight to the BFF with a session cookie) with the sessions in
 *    memory and in Redis, same machine, same load, one after the other: answers per second and
 *    median latency, and their ratio;
 * 2. the memory 100,000 signed-in sessions take in Redis (session + tokens, as the BFF writes them,
 *    tokens the size of the lab's), from Redis's own `used_memory`.
 *
 *   node --import tsx scripts/measure-redis-store.ts
 *
 * Ports: MEASURE_PORT_BASE (default 29300) and the next few; Redis on MEASURE_PORT_BASE + 10.
 */
import autocannon from 'autocannon';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { makeLabEnv, startLab, startTestRedis } from '@lab/launcher';
import { createRedisClient, connectRedis } from '../bff/src/redis/redis-client.ts';
import { RedisSessionStore } from '../bff/src/redis/redis-session-store.ts';
import { RedisTokenStore } from '../bff/src/redis/redis-token-store.ts';
import { HttpUserAgent, signIn } from '../e2e/support/http-sign-in.ts';

const base = Number(process.env.MEASURE_PORT_BASE ?? 29300);
const DURATION_S = Number(process.env.MEASURE_SECONDS ?? 10);
const CONNECTIONS = 10;

async function measurePath(store: 'memory' | 'redis'): Promise<{ rps: number; p50: number; failures: number }> {
  const env = makeLabEnv(process.env, {
    SPA_PORT: String(base),
    BFF_PORT: String(base + 1),
    API_PORT: String(base + 2),
    AUTHSERVER_PORT: String(base + 3),
    ATTACKER_PORT: String(base + 4),
    REDIS_PORT: String(base + 10),
    LAB_STORE: store,
    LAB_BFF_INSTANCES: '1',
    LAB_XRAY: 'off',
    LAB_WEAKEN: '',
    LAB_CONTROL_KEY: '',
  });
  const lab = await startLab({ env, logDir: path.join(import.meta.dirname, '..', '.lab', 'measure-logs'), log: () => {} });
  try {
    const agent = new HttpUserAgent(lab.topology.spa.url);
    await signIn(agent, 'alice');
    const cookie = agent.appCookie();
    const url = `http://127.0.0.1:${lab.topology.bff.port}/api/notes`;
    const run = (seconds: number) =>
      autocannon({
        url,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { cookie: cookie ?? '', 'x-csrf': '1', host: new URL(lab.topology.spa.url).host },
      });
    await run(2); // warm-up
    const result = await run(DURATION_S);
    return { rps: result.requests.average, p50: result.latency.p50, failures: result.non2xx + result.errors + result.timeouts };
  } finally {
    await lab.stop();
  }
}

async function measureSessionMemory(count: number): Promise<{ bytes: number; perSession: number }> {
  const redis = await startTestRedis();
  const client = await createRedisClient(redis.url, { log: () => {} });
  try {
    await connectRedis(client, 5_000);
    const sessions = new RedisSessionStore(client);
    const tokens = new RedisTokenStore(client);
    const before = usedMemory(await client.info('memory'));
    // Sizes as the lab's: a JWT access token (~900 characters), an ID token (~800), an opaque refresh token (43).
    const jwt = (length: number) =>
      `eyJ${randomBytes(Math.ceil((length * 3) / 4))
        .toString('base64url')
        .slice(0, length - 3)}`;
    for (let start = 0; start < count; start += 1_000) {
      await Promise.all(
        Array.from({ length: Math.min(1_000, count - start) }, async () => {
          const sid = randomUUID();
          await sessions.set(
            randomBytes(24).toString('base64url'),
            { sid, signedInAt: Date.now(), user: { sub: 'alice', name: 'Alice Adams', preferred_username: 'alice', email: 'alice@example.com' } },
            8 * 3600_000,
          );
          await tokens.put(
            sid,
            {
              accessToken: jwt(900),
              refreshToken: randomBytes(32).toString('base64url'),
              idToken: jwt(800),
              accessTokenExpiresAt: Date.now() + 300_000,
              accessTokenLifetimeMs: 300_000,
              scope: 'openid profile email notes:read notes:write',
            },
            8 * 3600_000,
          );
        }),
      );
    }
    const bytes = usedMemory(await client.info('memory')) - before;
    return { bytes, perSession: bytes / count };
  } finally {
    client.disconnect();
    await redis.close();
  }
}

function usedMemory(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

const memory = await measurePath('memory');
const redis = await measurePath('redis');
const sessions = await measureSessionMemory(100_000);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(`BFF path, GET /api/notes straight to the BFF, ${CONNECTIONS} connections, ${DURATION_S} s each, one BFF instance:\n`);
console.log('| sessions in | answers/s | median latency | failures |');
console.log('| --- | --- | --- | --- |');
console.log(`| memory | ${memory.rps.toFixed(0)} | ${memory.p50} ms | ${memory.failures} |`);
console.log(`| Redis | ${redis.rps.toFixed(0)} | ${redis.p50} ms | ${redis.failures} |`);
console.log(`\nRedis / memory: ${(redis.rps / memory.rps).toFixed(2)} × the answers per second.`);
console.log(
  `\n100,000 signed-in sessions in Redis (session + tokens): ${mb(sessions.bytes)} MiB of used_memory, ${(sessions.perSession / 1024).toFixed(2)} KiB each.`,
);
