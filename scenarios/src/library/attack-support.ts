import { request } from 'node:http';
import type { Page } from 'playwright-core';
import { TRACE_HEADERS, type LabTopology, type Party } from '@lab/shared';
import { appSettled, signInAtAuthorizationServer } from './sign-in.ts';

/**
 * How long an attack scenario waits for something that happens only when the attack works (a
 * landing, a pixel, a frame). Short on purpose: a defended lab must fail a weakened run fast.
 */
export const ATTACK_TIMEOUT_MS = 5_000;

/**
 * The Resource Owner signs in the way the app's "Sign in" button does it (a navigation to
 * `/bff/login`), without waiting for the SPA to render: for attacks where the session matters,
 * not the page. Resolves once the browser is back on the app's origin and the page has made its
 * first calls (so that they do not show up in the next step's exchanges).
 */
export async function signInThroughBff(page: Page, topology: LabTopology, username: string, returnTo = '/'): Promise<void> {
  await page.goto(`${topology.spa.url}/bff/login?returnTo=${encodeURIComponent(returnTo)}`);
  await signInAtAuthorizationServer(page, topology, username);
  await page.waitForURL((url) => url.origin === topology.spa.url);
  await appSettled(page);
}

/** Polls `probe` until it returns something other than undefined, or `timeoutMs` passes (then undefined). */
export async function pollFor<T>(probe: () => Promise<T | undefined>, timeoutMs = ATTACK_TIMEOUT_MS, intervalMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * One HTTP/1.1 request with the request-target sent exactly as given: `fetch` and browsers
 * normalise `//`, `..` and `\` in a path before sending it, which is what some attacks rely on
 * a server NOT doing. `as` is recorded in the trace like `fetchAs` does.
 */
export function rawRequest(as: Party, origin: string, target: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const url = new URL(origin);
  const headers: Record<string, string> = { ...init.headers };
  if (as !== 'user-agent') headers[TRACE_HEADERS.caller] = as;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, method: init.method ?? 'GET', path: target, headers, timeout: ATTACK_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer to ${init.method ?? 'GET'} ${target} within ${ATTACK_TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The `error` code of a JSON error body, or undefined. */
export function errorCodeOf(body: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}
