import type { Page } from 'playwright-core';
import type { LabTopology } from '@lab/shared';
import { walkSignIn, type SendHop } from './sign-in-hops.ts';

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
 * The Resource Owner signs in where her sign-in is not the lesson, and lands in the app. The
 * requests are those of the browser's own sign-in: `/bff/login`, the authorization server's login
 * and consent forms (username and password, "Allow"), each redirect one hop at a time and each an
 * exchange in the trace. Playwright's request client sends them, in the browser's own cookie store
 * (`BrowserContext.request`); then the browser itself takes the redirect back: it delivers the code
 * to `/bff/callback`, gets the session cookie and opens the app. What the browser is spared is what
 * costs it most: the app's page before the sign-in, and the two forms, each a page load in a
 * renderer process of its own (the authorization server is another site). The sign-in in the
 * browser, button, forms and all, is the lesson of flow-recommended and most role scenarios.
 */
export async function signInByRequests(page: Page, topology: LabTopology, username: string): Promise<void> {
  const request = page.context().request;
  const send: SendHop = async (url, form) => {
    const response = form ? await request.post(url, { form, maxRedirects: 0 }) : await request.get(url, { maxRedirects: 0 });
    return { status: response.status(), location: response.headers().location, text: () => response.text() };
  };
  const login = await send(`${topology.spa.url}/bff/login`);
  if (!login.location) throw new Error(`GET /bff/login answered ${login.status} without a redirect`);
  const callbackUrl = await walkSignIn(send, new URL(login.location, topology.spa.url).toString(), username);
  const landed = await page.goto(callbackUrl);
  if (!landed?.ok()) throw new Error(`the browser's delivery of the code ended with ${landed?.status() ?? 'no answer'} at ${page.url()}`);
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
