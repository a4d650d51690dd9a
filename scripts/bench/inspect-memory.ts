import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'undici';

export interface MemoryReading {
  /** Resident set size as the OS counts it, read before any collection is forced. */
  readonly rssBytes: number;
  /** The same after a full garbage collection: what the process holds once its heap has settled. */
  readonly rssAfterGcBytes: number;
  /** The V8 heap in use after a full garbage collection: what is really alive. */
  readonly heapUsedBytes: number;
  /** Memory V8 holds for C++ objects and buffers bound to JS objects, after the same collection. */
  readonly externalBytes: number;
}

/**
 * A Chrome DevTools Protocol session with another Node process: how the bench reads the BFF's
 * heap from outside, without a route of its own in the BFF. The process is started with
 * `--inspect-port=0` (in NODE_OPTIONS: nothing listens until asked) and opens its inspector on
 * SIGUSR1, writing the WebSocket address to its log.
 */
export class ProcessInspector {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiting = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    });
  }

  /** Asks the process to open its inspector (`openInspector` sends SIGUSR1) and connects to it. */
  static async attach(logFile: string, openInspector: () => void, timeoutMs = 10_000): Promise<ProcessInspector> {
    const before = readAddresses(logFile).length;
    openInspector();
    const deadline = Date.now() + timeoutMs;
    let address = readAddresses(logFile)[before];
    while (!address && Date.now() < deadline) {
      await sleep(50);
      address = readAddresses(logFile)[before];
    }
    if (!address) throw new Error(`no inspector address appeared in ${logFile} within ${timeoutMs / 1000} s`);
    const socket = new WebSocket(address);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${address}`)), { once: true });
    });
    return new ProcessInspector(socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** RSS as it is, then RSS and the heap after a full collection. */
  async readMemory(): Promise<MemoryReading> {
    const before = await this.#memoryUsage();
    await this.call('HeapProfiler.collectGarbage');
    const after = await this.#memoryUsage();
    return { rssBytes: before.rss, rssAfterGcBytes: after.rss, heapUsedBytes: after.heapUsed, externalBytes: after.external };
  }

  async #memoryUsage(): Promise<NodeJS.MemoryUsage> {
    const answer = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as {
      result: { value: string };
    };
    return JSON.parse(answer.result.value) as NodeJS.MemoryUsage;
  }

  close(): void {
    this.#socket.close();
  }
}

function readAddresses(logFile: string): string[] {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/Debugger listening on (ws:\/\/\S+)/g)].map((match) => match[1]!);
}
