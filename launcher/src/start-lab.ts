import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveTopology, type LabTopology, type ServiceName } from '@lab/shared';
import { REPO_ROOT, SERVICE_ENTRIES } from './services.ts';
import { buildServices } from './build-services.ts';
import { checkPortFree } from './port-check.ts';

export class LabStartError extends Error {
  override readonly name = 'LabStartError';
}

export interface RunningLab {
  readonly topology: LabTopology;
  readonly env: Readonly<Record<string, string>>;
  readonly logDir: string;
  /** Milliseconds from the first spawn until every /healthz answered. */
  readonly startupMs: number;
  stop(): Promise<void>;
  /** Stops one service (SIGTERM, then SIGKILL after 3 s), as a crash or an operator would. */
  stopService(name: ServiceName): Promise<void>;
  /** Starts one stopped service again with the same environment, and waits until it is healthy. */
  startService(name: ServiceName): Promise<void>;
  /** Sends a signal to one service: `SIGSTOP` freezes it (it holds connections, answers nothing), `SIGCONT` thaws it. */
  signalService(name: ServiceName, signal: NodeJS.Signals): void;
  /** The process id of a running service (to read its CPU time or memory), undefined when it is not running. */
  pidOf(name: ServiceName): number | undefined;
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
}

/**
 * Starts the services as child processes, waits until each `/healthz` answers 200, and returns a
 * handle that stops them all. A taken port is reported before anything starts.
 */
export async function startLab(options: StartLabOptions): Promise<RunningLab> {
  const topology = resolveTopology(options.env);
  const wanted = SERVICE_ENTRIES.filter((service) => !options.services || options.services.includes(service.name));
  const logDir = options.logDir ?? path.join(REPO_ROOT, '.lab', 'logs');
  mkdirSync(logDir, { recursive: true });

  for (const { name } of wanted) {
    const location = topology[name];
    try {
      await checkPortFree(location.host, location.port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LabStartError(
        code === 'EADDRINUSE'
          ? `Port ${location.port} (${name}) is taken. Stop what uses it, or set ${location.portVariable} to another port.`
          : `Cannot bind ${location.host}:${location.port} for ${name} (${code ?? String(error)}).`,
      );
    }
  }

  const started = Date.now();
  const built = options.run === 'source' ? undefined : await buildServices();
  const children = new Map<ServiceName, ChildProcess>();
  const stop = () => stopAll(children);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const spawnService = (name: ServiceName, entry: string, logFlags: 'w' | 'a') => {
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: logFlags });
    const args = built ? ['--enable-source-maps', built.entries[name]] : ['--import', 'tsx', entry];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: envFor(name, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.set(name, child);
    return child;
  };
  try {
    const spawned = wanted.map(({ name, entry }) => ({ name, child: spawnService(name, entry, 'w') }));
    await Promise.all(spawned.map(({ name, child }) => waitUntilHealthy(name, `${topology[name].url}/healthz`, child, timeoutMs, logDir)));
  } catch (error) {
    await stop();
    throw error;
  }
  const entryOf = (name: ServiceName) => {
    const service = wanted.find((candidate) => candidate.name === name);
    if (!service) throw new LabStartError(`${name} is not a service of this lab`);
    return service.entry;
  };
  return {
    topology,
    env: options.env,
    logDir,
    startupMs: Date.now() - started,
    stop,
    stopService: async (name) => {
      const child = children.get(name);
      if (child) await stopChild(child);
    },
    startService: async (name) => {
      const running = children.get(name);
      if (running && running.exitCode === null && running.signalCode === null) return;
      const child = spawnService(name, entryOf(name), 'a');
      await waitUntilHealthy(name, `${topology[name].url}/healthz`, child, timeoutMs, logDir);
    },
    signalService: (name, signal) => {
      children.get(name)?.kill(signal);
    },
    pidOf: (name) => {
      const child = children.get(name);
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
  };
}

/** Secrets go only to the services that need them: the client secret to the authserver and the BFF. */
const SECRET_HOLDERS: Readonly<Record<string, readonly ServiceName[]>> = {
  BFF_CLIENT_SECRET: ['authserver', 'bff'],
};

function envFor(service: ServiceName, env: Record<string, string>): Record<string, string> {
  const own = { ...env };
  for (const [variable, holders] of Object.entries(SECRET_HOLDERS)) {
    if (!holders.includes(service)) delete own[variable];
  }
  // Node flags for one service only (`BFF_NODE_OPTIONS=--max-semi-space-size=4`), after the common ones.
  const flags = env[nodeOptionsVariableOf(service)];
  if (flags) own.NODE_OPTIONS = [env.NODE_OPTIONS, flags].filter(Boolean).join(' ');
  return own;
}

/** `BFF_NODE_OPTIONS`, `API_NODE_OPTIONS`…: named like the service's port variable. */
export function nodeOptionsVariableOf(service: ServiceName): string {
  return `${service === 'resource-api' ? 'API' : service.toUpperCase()}_NODE_OPTIONS`;
}

async function waitUntilHealthy(name: ServiceName, url: string, child: ChildProcess, timeoutMs: number, logDir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LabStartError(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logDir, name)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new LabStartError(
    `${name} did not answer ${url} within ${timeoutMs / 1000} s (a busy machine may need more: LAB_START_TIMEOUT=<seconds>). Its last log lines:\n${tail(logDir, name)}`,
  );
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

async function stopAll(children: Map<ServiceName, ChildProcess>): Promise<void> {
  await Promise.all([...children.values()].map(stopChild));
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    // A frozen process cannot act on SIGTERM until it is thawed.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}
