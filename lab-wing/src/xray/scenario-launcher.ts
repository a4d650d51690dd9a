import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

/** A scenario as `--list --json` of the scenario CLI names it. */
export interface ScenarioSummary {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
}

/** What the X-ray's stream of a run sends: the run's start, each step as it starts, the end. */
export type ScenarioRunEvent =
  | { readonly event: 'start'; readonly runId: string; readonly id: string; readonly title: string }
  | { readonly event: 'step'; readonly runId: string; readonly number: number; readonly actor: string; readonly action: string; readonly look?: string }
  | { readonly event: 'end'; readonly runId: string; readonly pass: boolean; readonly failed: readonly string[]; readonly error?: string };

export interface ScenarioLauncherOptions {
  /** The scenario CLI's command line before its arguments; by default `node --import tsx scenarios/src/cli.ts` of this repository. */
  readonly cli?: readonly string[];
  /** A run longer than this is interrupted (the CLI then restores the lab's settings). */
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}

interface Run {
  readonly runId: string;
  readonly events: ScenarioRunEvent[];
  child?: ChildProcess;
}

const CLI_ENTRY = path.join('scenarios', 'src', 'cli.ts');
const DEFAULT_TIMEOUT_MS = 2 * 60_000;
/** After SIGINT (the CLI puts the lab's settings back, closes its browser), how long before SIGKILL. */
const KILL_AFTER_MS = 5_000;

/**
 * LAB ONLY: runs the lab's scenarios for the instructor's X-ray, one at a time, as the scenario
 * CLI does from a terminal (`npm run scenario -- <id> --progress-json`): a child process of the
 * BFF, with the BFF's own environment, whose `LAB_CONTROL_KEY` and `*_PORT` variables point the
 * CLI at this running lab. The audience watches its exchanges arrive in the swim lanes; the
 * launcher passes on only each step's heading and "Look at", and the result.
 */
export class ScenarioLauncher {
  readonly #options: ScenarioLauncherOptions;
  #list?: Promise<ScenarioSummary[]>;
  #run?: Run;
  readonly #listeners = new Set<(event: ScenarioRunEvent) => void>();
  readonly #closers = new Set<() => void>();
  #closed = false;

  constructor(options: ScenarioLauncherOptions) {
    this.#options = options;
  }

  /** The scenarios (`--list --json`), read once; a failed read is tried again next time. */
  list(): Promise<ScenarioSummary[]> {
    this.#list ??= readScenarioList(this.#cli()).catch((error: unknown) => {
      this.#list = undefined;
      this.#options.log(`bff: the scenario list did not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      throw error;
    });
    return this.#list;
  }

  get running(): boolean {
    return this.#run?.child !== undefined;
  }

  /** Starts a run of a listed scenario (the caller checked the id, and that none runs); its id. */
  start(scenario: ScenarioSummary): string {
    const runId = randomUUID();
    const run: Run = { runId, events: [] };
    this.#run = run;
    this.#emit(run, { event: 'start', runId, id: scenario.id, title: scenario.title });
    const [command = process.execPath, ...args] = this.#cli();
    // Detached: its own process group, so that stopping it also stops the browser it started.
    // No `env` option: the child gets the BFF's environment, which names this lab.
    const child = spawn(command, [...args, scenario.id, '--progress-json'], { cwd: findRepoRoot(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    run.child = child;
    let stderrTail = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2_000);
    });
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parseProgressLine(line, runId);
        if (event) this.#emit(run, event);
      });
    }
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      this.#end(run, `The scenario took longer than ${Math.round(timeoutMs / 1000)} s and was stopped.`);
      stopProcessGroup(child);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      run.child = undefined;
      this.#end(run, `The scenario command did not start: ${error.message}`);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      run.child = undefined;
      const lastLine = stderrTail.trim().split('\n').at(-1)?.slice(0, 300);
      this.#end(run, `The scenario command ended (${signal ?? `exit status ${code}`}) without a result${lastLine ? `: ${lastLine}` : '.'}`);
    });
    return runId;
  }

  /** The current (or last) run's events so far, then each new one, until `close()`. */
  subscribe(listener: (event: ScenarioRunEvent) => void, onClose: () => void): { backlog: readonly ScenarioRunEvent[]; unsubscribe(): void } {
    this.#listeners.add(listener);
    this.#closers.add(onClose);
    if (this.#closed) queueMicrotask(onClose);
    return {
      backlog: [...(this.#run?.events ?? [])],
      unsubscribe: () => {
        this.#listeners.delete(listener);
        this.#closers.delete(onClose);
      },
    };
  }

  /** The BFF stops: the running scenario is interrupted, the streams end. */
  close(): void {
    this.#closed = true;
    if (this.#run?.child) stopProcessGroup(this.#run.child);
    for (const close of [...this.#closers]) close();
  }

  #cli(): readonly string[] {
    return this.#options.cli ?? [process.execPath, '--import', 'tsx', path.join(findRepoRoot(), CLI_ENTRY)];
  }

  /** Ends a run once, with `error` unless the CLI already reported the end. */
  #end(run: Run, error: string): void {
    if (run.events.some((event) => event.event === 'end')) return;
    this.#options.log(`bff: the X-ray's scenario run failed: ${error}`);
    this.#emit(run, { event: 'end', runId: run.runId, pass: false, failed: [], error });
  }

  #emit(run: Run, event: ScenarioRunEvent): void {
    if (run.events.some((earlier) => earlier.event === 'end')) return;
    run.events.push(event);
    if (event.event === 'end' && !event.pass && event.error === undefined) {
      this.#options.log(`bff: the X-ray's scenario run did not pass: ${event.failed.join('; ')}`);
    }
    for (const listener of this.#listeners) listener(event);
  }
}

/** SIGINT first: the CLI puts the lab's settings back and closes its browser; SIGKILL if it lingers. */
function stopProcessGroup(child: ChildProcess): void {
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGINT');
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) signal('SIGKILL');
  }, KILL_AFTER_MS).unref();
}

async function readScenarioList(cli: readonly string[]): Promise<ScenarioSummary[]> {
  const [command = process.execPath, ...args] = cli;
  const { stdout } = await promisify(execFile)(command, [...args, '--list', '--json'], { cwd: findRepoRoot(), timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
  const list = JSON.parse(stdout) as unknown;
  if (!Array.isArray(list)) throw new Error('the scenario list is not an array');
  return list
    .filter((item): item is ScenarioSummary => typeof item?.id === 'string' && typeof item.title === 'string' && typeof item.kind === 'string')
    .map(({ id, title, kind }) => ({ id, title, kind }));
}

/** One line of `--progress-json`, or undefined for any other output. */
function parseProgressLine(line: string, runId: string): ScenarioRunEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  if (parsed.event === 'step' && typeof parsed.number === 'number') {
    return { event: 'step', runId, number: parsed.number, actor: text(parsed.actor) ?? '', action: text(parsed.action) ?? '', look: text(parsed.look) };
  }
  if (parsed.event === 'end' && typeof parsed.pass === 'boolean') {
    const failed = Array.isArray(parsed.failed) ? parsed.failed.filter((name): name is string => typeof name === 'string') : [];
    return { event: 'end', runId, pass: parsed.pass, failed, error: text(parsed.error) };
  }
  return undefined;
}

/**
 * The repository the lab runs from: the services run with it as their working directory, bundled
 * (`.lab/build/…`) or from source, so look there first, then above this file.
 */
function findRepoRoot(): string {
  for (const start of [process.cwd(), import.meta.dirname]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, CLI_ENTRY))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  return process.cwd();
}
