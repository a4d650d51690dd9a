import type { BrowserContext, Page } from 'playwright-core';

/** What page scripts (and so an XSS) can read in this browser: cookies and web storage. */
export async function readableByScripts(page: Page): Promise<{ cookie: string; localStorage: Record<string, string>; sessionStorage: Record<string, string> }> {
  return page.evaluate(() => ({
    cookie: document.cookie,
    localStorage: { ...localStorage },
    sessionStorage: { ...sessionStorage },
  }));
}

/** `bff_session` as the browser holds it, or undefined. */
export async function sessionCookie(context: BrowserContext, url: string) {
  return (await context.cookies(url)).find((cookie) => cookie.name === 'bff_session');
}
