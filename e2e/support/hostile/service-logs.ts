import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The services whose logs are read: the four the hostile requests are aimed at. */
export const LOGGED_SERVICES = ['spa', 'bff', 'resource-api', 'authserver'] as const;

/** A frame of a V8 stack trace: `    at fn (file:///…/x.ts:12:5)`, `    at async file:///…:1:2`, `    at new X (node:internal/…)`. */
const STACK_FRAME = /^\s+at\s+(?:async\s+)?(?:new\s+)?\S.*(?::\d+:\d+\)?|\(native\)|\(<anonymous>\)|node:internal\S*\)?)\s*$/;

export interface StackTrace {
  readonly service: string;
  /** The line before the first frame: usually the error's message, or what the service logged with it. */
  readonly heading: string;
  /** The first frame, where it was thrown. */
  readonly frame: string;
}

/** What a service wrote to its log between two moments. */
export interface LogExcerpt {
  readonly service: string;
  readonly text: string;
}

/** Reads what the services append to their log files (one file per service, as the launcher writes them). */
export class ServiceLogs {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Each log's current size: what is written after this moment is what a test caused. */
  async mark(): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for (const service of LOGGED_SERVICES) sizes.set(service, await sizeOf(this.#file(service)));
    return sizes;
  }

  /** What each service wrote since `mark` (after a short pause: child output reaches the file through a pipe). */
  async since(mark: Map<string, number>, settleMs = 300): Promise<LogExcerpt[]> {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const excerpts: LogExcerpt[] = [];
    for (const service of LOGGED_SERVICES) {
      const file = this.#file(service);
      const from = mark.get(service) ?? 0;
      const to = await sizeOf(file);
      if (to <= from) continue;
      const handle = await open(file, 'r');
      try {
        const buffer = Buffer.alloc(to - from);
        await handle.read(buffer, 0, buffer.length, from);
        excerpts.push({ service, text: buffer.toString('utf8') });
      } finally {
        await handle.close();
      }
    }
    return excerpts;
  }

  /** The last lines of a service's log (what it said before it stopped, when it did). */
  async tail(service: string, lines = 12): Promise<string> {
    try {
      const text = await readFile(this.#file(service), 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  #file(service: string): string {
    return path.join(this.#dir, `${service}.log`);
  }
}

/** Every stack trace in the excerpts: one entry per trace, named by the line before its first frame. */
export function findStackTraces(excerpts: readonly LogExcerpt[]): StackTrace[] {
  const traces: StackTrace[] = [];
  for (const { service, text } of excerpts) {
    const lines = text.split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const line = lines[index]!;
      if (!STACK_FRAME.test(line) || (index > 0 && STACK_FRAME.test(lines[index - 1]!))) continue;
      const heading = index > 0 ? lines[index - 1]!.trim() : '(start of the excerpt)';
      traces.push({ service, heading: heading.slice(0, 200), frame: line.trim().slice(0, 200) });
    }
  }
  return traces;
}

/** Lines that are not stack frames, counted per service: what the services said about the run. */
export function countLogLines(excerpts: readonly LogExcerpt[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { service, text } of excerpts) {
    const lines = text.split('\n').filter((line) => line.trim() !== '' && !STACK_FRAME.test(line));
    counts.set(service, (counts.get(service) ?? 0) + lines.length);
  }
  return counts;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
