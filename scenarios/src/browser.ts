import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's and Ubuntu's Chromium, when installed from the distribution's packages. */
const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Finds the browser for the tests and scenarios: `LAB_CHROMIUM` when set, else the system's
 * Chromium, else Playwright's own download (`npx playwright-core install chromium`).
 */
export function findChromium(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.LAB_CHROMIUM) return env.LAB_CHROMIUM;
  return SYSTEM_CHROMIUMS.find((candidate) => existsSync(candidate));
}

export async function launchBrowser(options: { headed?: boolean } = {}): Promise<Browser> {
  const executablePath = findChromium();
  return chromium.launch({
    executablePath,
    headless: !options.headed,
    args: [
      ...(options.headed ? [] : ['--headless']),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // One renderer process per site instead of per frame and origin: the lab's three sites and
      // their frames then need fewer processes (a sign-in in the browser: 2 instead of 5), and the
      // scenarios take 63 s instead of 71 s on 2 cores. What the scenarios show does not depend on
      // it: cookies, SameSite, CORS and frame-ancestors are enforced by the browser's network
      // stack and Blink in either process model; site isolation defends against memory-reading
      // (Spectre-class) attacks, which no scenario plays. No `--disable-features` here: Chromium
      // keeps only the last one given, and Playwright passes its own list.
      '--disable-site-isolation-trials',
    ],
  });
}
