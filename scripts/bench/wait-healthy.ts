import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `url` answers 2xx (a service's `/healthz`); throws after `withinMs`. */
export async function waitUntilHealthy(url: string, withinMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(100)) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
  }
  throw new Error(`no answer from ${url} within ${withinMs / 1000} s`);
}
