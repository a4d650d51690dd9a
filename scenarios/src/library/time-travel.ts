import type { Page } from 'playwright-core';
import { refreshMarginMs } from '@lab/shared';
import type { LabConnection } from '../engine/lab-connection.ts';
import type { StepTools, TimeMove } from '../engine/scenario.ts';
import { describeOffset } from '../lab-time.ts';
import { labNow } from './lifetimes.ts';

/**
 * "Five minutes later": what a scenario needs to move the lab's clock instead of waiting for real
 * time. Every move is computed from what the lab says (a token's `exp`, the BFF's
 * `accessTokenExpiresAt`, the lab's time now: `labNow`, and the lifetimes: `readLifetimes`, in
 * `lifetimes.ts`), never from a guess; the step's narration says how far the clock moved and what
 * expired (`StepTools.moveLabTime`).
 */

/** How far past the moment it aims at a move lands: the lab's time is read in whole seconds, and a little real time goes by before the call it is for. */
const PAST_BY_MS = 1_000;

/** When the BFF finds an access token due for a refresh: a fifth of its lifetime (at most 5 s) before it expires. */
export function refreshDueAt(expiresAtMs: number, lifetimeMs: number): number {
  return expiresAtMs - refreshMarginMs(lifetimeMs);
}

/**
 * Moves the lab's clock (every service's, and the run's browsers') just past `atMs`, a moment of
 * the lab's time: a token that expires, or is due for a refresh, by then is. Returns the move, or
 * undefined when `atMs` has passed already (nothing to move).
 */
export async function moveLabTimePast(s: StepTools, lab: LabConnection, atMs: number): Promise<TimeMove | undefined> {
  const seconds = Math.ceil((atMs + PAST_BY_MS - (await labNow(lab))) / 1000);
  return seconds > 0 ? s.moveLabTime(seconds) : undefined;
}

/** `5 min later`, `30 s later`: a lifetime, as a story's bridge. */
export function laterBy(seconds: number): string {
  return `${describeOffset(seconds)} later`;
}

/** When the access token of the page's BFF session expires (`GET /bff/user`'s `accessTokenExpiresAt`, lab time); undefined when signed out. */
export async function bffAccessTokenExpiry(page: Page): Promise<number | undefined> {
  const expiresAt = await page.evaluate(async () => {
    const response = await fetch('/bff/user', { headers: { 'X-CSRF': '1' }, cache: 'no-store' });
    if (!response.ok) return undefined;
    return ((await response.json()) as { session?: { accessTokenExpiresAt?: string } }).session?.accessTokenExpiresAt;
  });
  const at = Date.parse(expiresAt ?? '');
  return Number.isFinite(at) ? at : undefined;
}
