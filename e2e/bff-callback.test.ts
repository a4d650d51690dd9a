import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CallbackHold, launchBrowser, signInAtAuthorizationServer } from '@lab/scenarios';

const topology = inject('topology');
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Starts a login in a fresh browser and holds it on the redirect back, code in hand. */
async function loginUpToCallback(): Promise<{ context: BrowserContext; page: Page; hold: CallbackHold; callbackUrl: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(topology.spa.url);
  const hold = await CallbackHold.install(context, page, `${topology.spa.url}/bff/callback*`);
  await page.getByTestId('login-button').click();
  void signInAtAuthorizationServer(page, topology, 'alice').catch(() => undefined);
  const callbackUrl = await hold.held();
  return { context, page, hold, callbackUrl };
}

async function bodyOf(page: Page): Promise<unknown> {
  return JSON.parse((await page.locator('body').textContent()) ?? '');
}

describe('GET /bff/callback in a real login', () => {
  it('refuses a callback whose state was changed: 400 invalid_state, and nobody is signed in', async () => {
    const { context, page, hold, callbackUrl } = await loginUpToCallback();
    try {
      const tampered = new URL(callbackUrl);
      tampered.searchParams.set('state', 'not-the-state-the-bff-sent');
      const response = page.waitForResponse((candidate) => candidate.url().includes('/bff/callback'));
      await hold.release(tampered.toString());
      expect((await response).status()).toBe(400);
      expect(await bodyOf(page)).toEqual({
        error: 'invalid_state',
        message: 'This callback does not belong to a login started in this browser (unknown, expired or already used state).',
        // The way back: a fresh login to where the user was going (unknown here, so the start page).
        startAgain: '/bff/login?returnTo=%2F',
      });
      const user = await page.evaluate(async () => (await fetch('/bff/user', { headers: { 'X-CSRF': '1' } })).status);
      expect(user).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('refuses a callback without state: 400 invalid_state', async () => {
    const { context, page, hold, callbackUrl } = await loginUpToCallback();
    try {
      const stripped = new URL(callbackUrl);
      stripped.searchParams.delete('state');
      await hold.release(stripped.toString());
      await page.waitForLoadState();
      expect(await bodyOf(page)).toMatchObject({ error: 'invalid_state' });
    } finally {
      await context.close();
    }
  });

  it('refuses the same callback delivered a second time (replay): 400 invalid_state, the first session intact', async () => {
    const { context, page, hold, callbackUrl } = await loginUpToCallback();
    try {
      await hold.release();
      await page.getByTestId('user-name').waitFor();
      const replay = await page.goto(callbackUrl);
      expect(replay?.status()).toBe(400);
      expect(await bodyOf(page)).toMatchObject({ error: 'invalid_state' });
      await page.goto(topology.spa.url);
      await expect.poll(() => page.getByTestId('user-name').textContent()).toContain('alice');
    } finally {
      await context.close();
    }
  });
});
