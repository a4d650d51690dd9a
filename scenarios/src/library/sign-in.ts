import type { Page } from 'playwright-core';
import type { LabTopology } from '@lab/shared';

/**
 * The Resource Owner signs in through the SPA: "Sign in", username and password at the
 * authorization server, "Allow" on the consent page when it is shown, and back to the app.
 */
export async function signInThroughSpa(page: Page, topology: LabTopology, username: string, password = username): Promise<void> {
  await page.goto(topology.spa.url);
  await page.getByTestId('login-button').click();
  await signInAtAuthorizationServer(page, topology, username, password);
  await page.getByTestId('user-name').waitFor();
  await appSettled(page);
}

/**
 * Resolves once the app has made the calls of its page load and shows their outcome: the notes
 * (`/lab/state.json`, `/bff/user` and `/api/notes` answered), the sign-in button, or an error.
 * A step that ends before would leave a call in flight, which then lands in the next step: among
 * its exchanges, or after the lab's clock has moved. Bounded (3 s), and without waiting for half a
 * second of silence on the network (`networkidle`).
 */
export async function appSettled(page: Page): Promise<void> {
  await page
    .locator('[data-testid="notes-list"][aria-busy="false"]')
    .or(page.getByTestId('login-button'))
    .or(page.getByTestId('error'))
    .first()
    .waitFor({ timeout: 3_000 })
    .catch(() => undefined);
}

/** From the authorization server's login page to the redirect back to the app. */
export async function signInAtAuthorizationServer(page: Page, topology: LabTopology, username: string, password = username): Promise<void> {
  await page.waitForURL(`${topology.authserver.url}/interaction/**`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin !== topology.authserver.url || url.pathname.startsWith('/interaction/'));
  if (new URL(page.url()).origin === topology.authserver.url) {
    await page.getByRole('button', { name: 'Allow' }).click();
  }
  await page.waitForURL((url) => url.origin !== topology.authserver.url);
}

/**
 * The Resource Owner signs out in the SPA: the BFF ends its session, then the browser goes to the
 * authorization server's end-session page, which (for a registered client) confirms by itself and
 * sends the browser back to the app.
 */
export async function signOutThroughSpa(page: Page, topology: LabTopology): Promise<void> {
  const confirmed = page.waitForResponse((response) => response.url().startsWith(`${topology.authserver.url}/session/end/confirm`));
  await page.getByTestId('logout-button').click();
  await confirmed;
  await page.waitForURL(`${topology.spa.url}/**`);
  await page.getByTestId('login-button').waitFor();
}
