import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findRedisServer, redisAnswers, redisServerArgs, REDIS_PACKAGE_HINT } from './redis-server.ts';
import { stopChild } from './restart-policy.ts';

/** A real redis-server of its own for one test file: on a free loopback port, its files in a temporary folder. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Sends a signal: `SIGSTOP` freezes it (connections stay open, nothing answers), `SIGCONT` thaws it. */
  signal(signal: NodeJS.Signals): void;
  /** Stops it (SIGTERM: the append-only file is flushed) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (what it held comes back from its append-only file). */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const server = findRedisServer(process.env);
  if (!server) throw new Error(`these tests need redis-server: ${REDIS_PACKAGE_HINT}`);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(server, redisServerArgs(port, dir), { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(url))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();
  const stop = async () => {
    if (child) await stopChild(child);
  };
  return {
    url,
    port,
    signal: (signal) => child?.kill(signal),
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
