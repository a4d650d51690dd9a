import type { BrowserContext, Page } from 'playwright-core';
import type { LabTopology } from '@lab/shared';
import { CallbackHold } from './hold-callback.ts';
import { waitAtMost } from './attack-tools.ts';
import { ATTACK_TIMEOUT_MS } from './attack-support.ts';

/**
 * The Resource Owner signs in, and her browser is held on the redirect back to `/bff/callback`:
 * the authorization code is in the held URL, not yet delivered to the BFF. In the attack scenarios
 * this stands in for every way a code leaks (history, logs, Referer). The browser starts at
 * `/bff/login`, where the SPA's "Sign in" button sends it, without loading the SPA first.
 */
export async function signInUntilCallback(
  context: BrowserContext,
  page: Page,
  topology: LabTopology,
  username: string,
): Promise<{ hold: CallbackHold; callbackUrl: string }> {
  const hold = await CallbackHold.install(context, page, `${topology.spa.url}/bff/callback*`);
  await page.goto(`${topology.spa.url}/bff/login`);
  await page.waitForURL(`${topology.authserver.url}/interaction/**`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const consent = page.getByRole('button', { name: 'Allow' });
  await Promise.race([consent.waitFor().catch(() => undefined), hold.held()]);
  // Not awaited: the click's navigation stays pending while the callback is held.
  if (await consent.isVisible()) void consent.click().catch(() => undefined);
  return { hold, callbackUrl: await hold.held() };
}

/**
 * Lets the held callback go (to `url` instead, when given), waits until the browser has the BFF's
 * answer (a redirect into the app, or an error at `/bff/callback`), then asks the BFF who is signed
 * in, with this browser's cookies. Returns the signed-in username, if any.
 */
export async function deliverHeldCallback(
  context: BrowserContext,
  page: Page,
  hold: CallbackHold,
  topology: LabTopology,
  url?: string,
): Promise<string | undefined> {
  const spa = topology.spa.url;
  const answered = page.waitForURL((current) => current.origin === spa && (current.pathname === '/bff/callback' || !current.pathname.startsWith('/bff/')), {
    waitUntil: 'commit',
  });
  await hold.release(url);
  await waitAtMost(ATTACK_TIMEOUT_MS, answered);
  const response = await context.request.get(`${spa}/bff/user`, { headers: { 'X-CSRF': '1' } });
  if (!response.ok()) return undefined;
  const body = (await response.json()) as { claims?: { preferred_username?: string } };
  return body.claims?.preferred_username;
}
