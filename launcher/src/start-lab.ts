import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bffInstancePorts, readBffInstances, readInteger, readLabStore, resolveTopology, type LabStore, type LabTopology, type ServiceName } from '@lab/shared';
import { REPO_ROOT, SERVICE_ENTRIES } from './services.ts';
import { buildServices } from './build-services.ts';
import { checkPortFree } from './port-check.ts';
import { findRedisServer, redisAnswers, redisServerArgs, REDIS_PACKAGE_HINT } from './redis-server.ts';
import { RestartPolicy } from './restart-policy.ts';

export class LabStartError extends Error {
  override readonly name = 'LabStartError';
}

/**
 * One process the launcher runs: a service (`bff`, `authserver`...), one of several BFF instances
 * (`bff#1`, `bff#2`... with `LAB_BFF_INSTANCES`), or the run's Redis (`redis`, with `LAB_STORE=redis`).
 */
export type ProcessName = ServiceName | 'redis' | `bff#${number}`;

export interface RunningLab {
  readonly topology: LabTopology;
  readonly env: Readonly<Record<string, string>>;
  readonly logDir: string;
  /** Milliseconds from the start until every /healthz answered, a build of the services included. */
  readonly startupMs: number;
  /** Of those, the milliseconds spent building the services: 0 when their build of these sources was reused. */
  readonly buildMs: number;
  /** Where the run keeps its sessions and grants (`LAB_STORE`). */
  readonly store: LabStore;
  /** Every process of the run, by name (`bff#1`, `bff#2` when there are several BFF instances). */
  readonly processes: readonly ProcessName[];
  stop(): Promise<void>;
  /**
   * Stops one process (SIGTERM, then SIGKILL after 3 s), as an operator would; `bff` stops every
   * BFF instance. A process the lab stopped is not restarted until `startService`.
   */
  stopService(name: ProcessName): Promise<void>;
  /** Starts one stopped process again with the same environment, and waits until it is healthy. */
  startService(name: ProcessName): Promise<void>;
  /** Sends a signal to one process: `SIGSTOP` freezes it (it holds connections, answers nothing), `SIGCONT` thaws it. */
  signalService(name: ProcessName, signal: NodeJS.Signals): void;
  /** The process id of a running process (to read its CPU time or memory), undefined when it is not running. */
  pidOf(name: ProcessName): number | undefined;
}

export interface StartLabOptions {
  /** The full environment of the services (see `makeLabEnv`). */
  readonly env: Record<string, string>;
  /** Where each service's output goes, one file per service. */
  readonly logDir?: string;
  readonly timeoutMs?: number;
  readonly services?: readonly ServiceName[];
  /**
   * `build` (default): run the services from a cached esbuild bundle (built when the sources
   * changed); `source`: run their TypeScript through tsx, as while developing a service.
   */
  readonly run?: 'build' | 'source';
  /** Where the one-line notes of restarts go (default: stderr). */
  readonly log?: (line: string) => void;
}

/**
 * Starts the services as child processes (the run's Redis first, when there is one), waits until
 * each answers its health check, and returns a handle that stops them all. A taken port is
 * reported before anything starts. A process that exits by itself afterwards is started again
 * (restart-policy.ts); one the lab stops is not.
 */
export async function startLab(options: StartLabOptions): Promise<RunningLab> {
  const topology = resolveTopology(options.env);
  const store = readLabStore(options.env);
  const instances = readBffInstances(options.env);
  const wanted = SERVICE_ENTRIES.filter((service) => !options.services || options.services.includes(service.name));
  const logDir = options.logDir ?? path.join(REPO_ROOT, '.lab', 'logs');
  const log = options.log ?? ((line: string) => console.error(line));
  mkdirSync(logDir, { recursive: true });
  const redisServer = store.kind === 'redis' ? findRedisServer(options.env) : undefined;
  if (store.kind === 'redis' && !redisServer) throw new LabStartError(`LAB_STORE=redis needs redis-server, and there is none on PATH: ${REDIS_PACKAGE_HINT}.`);

  const units = planUnits(wanted, topology, store, instances);
  for (const unit of units) {
    try {
      await checkPortFree(unit.host, unit.port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LabStartError(
        code === 'EADDRINUSE'
          ? `Port ${unit.port} (${unit.name}) is taken. Stop what uses it, or set ${unit.portVariable} to another port.`
          : `Cannot bind ${unit.host}:${unit.port} for ${unit.name} (${code ?? String(error)}).`,
      );
    }
  }

  const started = Date.now();
  const built = options.run === 'source' ? undefined : await buildServices();
  const buildMs = built?.built ? Date.now() - started : 0;
  // The run's Redis keeps its files in a folder of this run's own, removed when the lab stops.
  const redisDir = path.join(REPO_ROOT, '.lab', 'redis', `run-${process.pid}-${started}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const commandOf = (unit: Unit): { command: string; args: string[] } => {
    if (unit.service === 'redis') return { command: redisServer ?? 'redis-server', args: redisServerArgs(unit.port, redisDir) };
    const { service } = unit;
    const entry = SERVICE_ENTRIES.find((candidate) => candidate.name === service)?.entry ?? '';
    return { command: process.execPath, args: built ? [built.entries[service]] : ['--import', 'tsx', entry] };
  };
  const spawnUnit = (unit: Unit, logFlags: 'w' | 'a'): ChildProcess => {
    const out = createWriteStream(path.join(logDir, `${logFileOf(unit.name)}.log`), { flags: logFlags });
    const { command, args } = commandOf(unit);
    const child = spawn(command, args, { cwd: REPO_ROOT, env: envFor(unit, options.env, store), stdio: ['ignore', 'pipe', 'pipe'] });
    // Two sources, one file: the file ends when the process's streams have both closed, not when the
    // first of them ends (a line on stderr after stdout closed, e.g. at exit, would be written after the end).
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once('close', () => out.end());
    return child;
  };
  const waitFor = (unit: Unit, child: ChildProcess) => waitUntilHealthy(unit, child, timeoutMs, logDir);
  const supervisor = new RestartPolicy<Unit>({
    spawn: (unit) => spawnUnit(unit, 'a'),
    healthy: waitFor,
    log,
    limit: readInteger(options.env, 'LAB_RESTART_LIMIT', 5, 0, 100),
  });
  const stop = async () => {
    await supervisor.stopAll();
    rmSync(redisDir, { recursive: true, force: true });
  };
  try {
    // Redis first: the BFF and the authorization server connect to it as they start.
    for (const unit of units.filter((candidate) => candidate.service === 'redis')) {
      await waitFor(unit, supervisor.adopt(unit, spawnUnit(unit, 'w')));
    }
    const others = units.filter((unit) => unit.service !== 'redis');
    const spawned = others.map((unit) => ({ unit, child: supervisor.adopt(unit, spawnUnit(unit, 'w')) }));
    await Promise.all(spawned.map(({ unit, child }) => waitFor(unit, child)));
  } catch (error) {
    await stop();
    throw error;
  }
  supervisor.watch();
  const unitsNamed = (name: ProcessName): Unit[] => {
    const found = units.filter((unit) => unit.name === name || (name === 'bff' && unit.service === 'bff'));
    if (found.length === 0) throw new LabStartError(`${name} is not a process of this lab (${units.map((unit) => unit.name).join(', ')})`);
    return found;
  };
  return {
    topology,
    env: options.env,
    logDir,
    startupMs: Date.now() - started,
    buildMs,
    store,
    processes: units.map((unit) => unit.name),
    stop,
    stopService: async (name) => {
      await Promise.all(unitsNamed(name).map((unit) => supervisor.stop(unit)));
    },
    startService: async (name) => {
      await Promise.all(unitsNamed(name).map((unit) => supervisor.start(unit)));
    },
    signalService: (name, signal) => {
      for (const unit of unitsNamed(name)) supervisor.childOf(unit)?.kill(signal);
    },
    pidOf: (name) => {
      const [unit] = unitsNamed(name);
      const child = unit && supervisor.childOf(unit);
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
  };
}

/** A process to run: what it is, where it listens, how its health is checked. */
interface Unit {
  readonly name: ProcessName;
  readonly service: ServiceName | 'redis';
  readonly host: string;
  readonly port: number;
  readonly portVariable: string;
  /** `/healthz` of a service; Redis answers PING instead. */
  readonly healthUrl: string;
  /** For one of several BFF instances: which (1, 2...). */
  readonly instance?: number;
}

function planUnits(wanted: ReadonlyArray<{ name: ServiceName }>, topology: LabTopology, store: LabStore, instances: number): Unit[] {
  const units: Unit[] = [];
  if (store.kind === 'redis') {
    units.push({ name: 'redis', service: 'redis', host: '127.0.0.1', port: store.port, portVariable: 'REDIS_PORT', healthUrl: store.url });
  }
  for (const { name } of wanted) {
    const location = topology[name];
    if (name === 'bff' && instances > 1) {
      bffInstancePorts(location.port, instances).forEach((port, index) => {
        units.push({
          name: `bff#${index + 1}`,
          service: 'bff',
          host: location.host,
          port,
          portVariable: `${location.portVariable} (instance ${index + 1} of ${instances} listens on BFF_PORT + ${index})`,
          healthUrl: `http://${location.host}:${port}/healthz`,
          instance: index + 1,
        });
      });
    } else {
      units.push({ name, service: name, host: location.host, port: location.port, portVariable: location.portVariable, healthUrl: `${location.url}/healthz` });
    }
  }
  return units;
}

/** `bff#2` logs to `bff-2.log`. */
function logFileOf(name: ProcessName): string {
  return name.replace('#', '-');
}

/** Secrets go only to the services that need them: the client secret to the authserver and the BFF, the DPoP key to the BFF. */
const SECRET_HOLDERS: Readonly<Record<string, readonly ServiceName[]>> = {
  BFF_CLIENT_SECRET: ['authserver', 'bff'],
  BFF_DPOP_JWK: ['bff'],
};

function envFor(unit: Unit, env: Record<string, string>, store: LabStore): Record<string, string> {
  const own = { ...env };
  for (const [variable, holders] of Object.entries(SECRET_HOLDERS)) {
    if (unit.service === 'redis' || !holders.includes(unit.service)) delete own[variable];
  }
  if (store.kind === 'redis') own.LAB_REDIS_URL = store.url;
  if (unit.instance !== undefined) {
    own.BFF_PORT = String(unit.port);
    own.LAB_BFF_INSTANCE = String(unit.instance);
  }
  // Node flags for one service only (`BFF_NODE_OPTIONS=--max-semi-space-size=4`), after the common ones; not for Redis.
  const flags = unit.service === 'redis' ? undefined : env[nodeOptionsVariableOf(unit.service)];
  if (flags) own.NODE_OPTIONS = [env.NODE_OPTIONS, flags].filter(Boolean).join(' ');
  return own;
}

/** `BFF_NODE_OPTIONS`, `API_NODE_OPTIONS`…: named like the service's port variable. */
export function nodeOptionsVariableOf(service: ServiceName): string {
  return `${service === 'resource-api' ? 'API' : service.toUpperCase()}_NODE_OPTIONS`;
}

async function waitUntilHealthy(unit: Unit, child: ChildProcess, timeoutMs: number, logDir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const logFile = logFileOf(unit.name);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LabStartError(`${unit.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logDir, logFile)}`);
    }
    if (await answersHealthCheck(unit)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new LabStartError(
    `${unit.name} did not answer ${unit.healthUrl} within ${timeoutMs / 1000} s (a busy machine may need more: LAB_START_TIMEOUT=<seconds>). Its last log lines:\n${tail(logDir, logFile)}`,
  );
}

async function answersHealthCheck(unit: Unit): Promise<boolean> {
  if (unit.service === 'redis') return redisAnswers(unit.healthUrl);
  try {
    const response = await fetch(unit.healthUrl, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false; // not listening yet
  }
}

function tail(logDir: string, name: string): string {
  let lines: string[];
  try {
    lines = readFileSync(path.join(logDir, `${name}.log`), 'utf8')
      .trim()
      .split('\n')
      .slice(-15);
  } catch {
    return '  | (no output)';
  }
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) return '  | (no output)';
  return lines.map((line) => `  | ${line}${explain(line)}`).join('\n');
}

/** Lines that look like a cause and are not. */
function explain(line: string): string {
  if (/Unsupported runtime/i.test(line)) return '   <- oidc-provider notes that it prefers Node 22; it runs on Node 20 all the same: not the cause';
  return '';
}
