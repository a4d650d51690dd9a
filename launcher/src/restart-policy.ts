import type { ChildProcess } from 'node:child_process';

export interface RestartPolicyOptions<U> {
  /** Starts the unit's process again, with the same command and environment as the first time. */
  readonly spawn: (unit: U) => ChildProcess;
  /** Resolves once the unit answers its health check; rejects when it exits or times out first. */
  readonly healthy: (unit: U, child: ChildProcess) => Promise<void>;
  readonly log: (line: string) => void;
  /** How many times one unit is restarted in a run, at most; past it, it stays down (a crash loop is not hidden). */
  readonly limit: number;
}

/** The first restart waits this long; each next one twice as long, up to `MAX_DELAY_MS`. */
const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

/**
 * The launcher as a supervisor: a process that exits by itself (a crash, an out-of-memory kill,
 * a SIGKILL from outside) is started again with the same configuration, after a short back-off,
 * a bounded number of times, each time on one line of the launcher's output. What the lab stops
 * on purpose (Ctrl-C, a test's `stopService`) stays stopped: the policy knows those exits.
 */
export class RestartPolicy<U extends { readonly name: string }> {
  readonly #options: RestartPolicyOptions<U>;
  readonly #children = new Map<string, ChildProcess>();
  readonly #stoppedByLab = new Set<string>();
  readonly #restarts = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #watching = false;
  #stopping = false;

  constructor(options: RestartPolicyOptions<U>) {
    this.#options = options;
  }

  /** Takes charge of a unit's running process. */
  adopt(unit: U, child: ChildProcess): ChildProcess {
    this.#children.set(unit.name, child);
    child.once('exit', (code, signal) => this.#exited(unit, child, code, signal));
    return child;
  }

  /** From now on an unexpected exit is restarted (not while the lab is still starting: that is a start failure). */
  watch(): void {
    this.#watching = true;
  }

  childOf(unit: U): ChildProcess | undefined {
    return this.#children.get(unit.name);
  }

  /** How many times the unit was restarted by this policy. */
  restartsOf(unit: U): number {
    return this.#restarts.get(unit.name) ?? 0;
  }

  /** Stops the unit on the lab's behalf: it is not restarted. */
  async stop(unit: U): Promise<void> {
    this.#stoppedByLab.add(unit.name);
    clearTimeout(this.#timers.get(unit.name));
    this.#timers.delete(unit.name);
    const child = this.#children.get(unit.name);
    if (child) await stopChild(child);
  }

  /** Starts a unit the lab stopped (or that gave up) and waits until it is healthy. */
  async start(unit: U): Promise<void> {
    this.#stoppedByLab.delete(unit.name);
    const running = this.#children.get(unit.name);
    if (running && isRunning(running)) return;
    clearTimeout(this.#timers.get(unit.name));
    this.#timers.delete(unit.name);
    await this.#options.healthy(unit, this.adopt(unit, this.#options.spawn(unit)));
  }

  async stopAll(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all([...this.#children.values()].map(stopChild));
  }

  #exited(unit: U, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    // A replaced process (the unit was started again meanwhile), a stop by the lab, or the lab's start: not a crash.
    if (this.#children.get(unit.name) !== child || !this.#watching || this.#stopping || this.#stoppedByLab.has(unit.name)) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const done = this.restartsOf(unit);
    const { limit, log } = this.#options;
    if (done >= limit) {
      log(`launcher: ${unit.name} exited unexpectedly (${how}); it was restarted ${done} times already (LAB_RESTART_LIMIT=${limit}), so it stays down`);
      return;
    }
    this.#restarts.set(unit.name, done + 1);
    const delayMs = Math.min(FIRST_DELAY_MS * 2 ** done, MAX_DELAY_MS);
    log(`launcher: ${unit.name} exited unexpectedly (${how}); restarting it in ${(delayMs / 1000).toFixed(1)} s (restart ${done + 1} of at most ${limit})`);
    const timer = setTimeout(() => {
      this.#timers.delete(unit.name);
      const started = Date.now();
      const next = this.adopt(unit, this.#options.spawn(unit));
      this.#options.healthy(unit, next).then(
        () => log(`launcher: ${unit.name} is back (healthy ${((Date.now() - started) / 1000).toFixed(1)} s after its restart)`),
        (error: unknown) => log(`launcher: ${unit.name} did not come back: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`),
      );
    }, delayMs);
    this.#timers.set(unit.name, timer);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!isRunning(child)) return resolve();
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
