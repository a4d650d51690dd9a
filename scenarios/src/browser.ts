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
    ],
  });
}
