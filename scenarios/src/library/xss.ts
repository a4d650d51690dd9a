import type { Page } from 'playwright-core';
import type { XssPayloadName } from '@lab/shared';
import type { LabConnection, LootItem } from '../engine/lab-connection.ts';
import { ATTACK_TIMEOUT_MS } from './attack-support.ts';

/** What an XSS payload leaves in the page (`window.__labXss`), or `not loaded` when it never ran. */
export interface XssRun {
  readonly status: 'running' | 'done' | 'not loaded';
  readonly result?: Record<string, unknown>;
}

declare global {
  interface Window {
    __labXss?: { name: string; status: 'running' | 'done'; result?: Record<string, unknown> };
  }
}

/**
 * LAB ONLY, the stand-in for an XSS bug: switches the SPA's XSS hook to `payload`, has the victim
 * load (or reload) the app's page, which then runs the attacker's script with the page's
 * privileges, and switches the hook off again. Waits at most `timeoutMs` for the payload to say
 * it is done (`waitFor: 'done'`), or only for it to start (`waitFor: 'running'`, for a payload
 * that keeps running while the victim uses the page).
 */
export async function loadAppWithXss(
  lab: LabConnection,
  page: Page,
  payload: XssPayloadName,
  options: { url?: string; waitFor?: 'done' | 'running'; timeoutMs?: number } = {},
): Promise<XssRun> {
  await lab.update('spa', { xss: payload });
  try {
    if (options.url) await page.goto(options.url);
    else await page.reload();
  } finally {
    await lab.update('spa', { xss: null });
  }
  return waitForXss(page, options.waitFor ?? 'done', options.timeoutMs);
}

/** The payload's state in the page once it reaches `status`, or what it is after `timeoutMs`. */
export async function waitForXss(page: Page, status: 'done' | 'running' = 'done', timeoutMs = ATTACK_TIMEOUT_MS): Promise<XssRun> {
  await page
    .waitForFunction((wanted) => (wanted === 'running' ? window.__labXss !== undefined : window.__labXss?.status === 'done'), status, { timeout: timeoutMs })
    .catch(() => undefined);
  return page.evaluate(() => {
    const run = window.__labXss;
    return run ? { status: run.status, result: run.result } : { status: 'not loaded' as const };
  });
}

/** What the attacker's collector received from one payload (`POST /collect/<label>`), oldest first. */
export async function lootFrom(lab: LabConnection, label: string): Promise<LootItem[]> {
  return (await lab.loot()).filter((item) => item.channel === 'collect' && item.label === label);
}

/** The `data` a payload sent, as an object (what `readable()` found, or the payload's own report). */
export function lootData(item: LootItem | undefined): Record<string, unknown> {
  return item !== undefined && typeof item.data === 'object' && item.data !== null ? (item.data as Record<string, unknown>) : {};
}

/** The web storage entries a payload reported (`localStorage` or `sessionStorage`). */
export function storageIn(item: LootItem | undefined, area: 'localStorage' | 'sessionStorage' = 'localStorage'): Record<string, string> {
  const storage = lootData(item)[area];
  return typeof storage === 'object' && storage !== null ? (storage as Record<string, string>) : {};
}

export { signOutThroughSpa } from './sign-in.ts';
