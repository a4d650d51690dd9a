import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Joins the `--disable-features` of Playwright and of the lab into one (see the script). */
const ONE_FEATURE_LIST = fileURLToPath(new URL('../bin/chromium-one-feature-list', import.meta.url));

/**
 * Off in every headless window: the address bar's suggestion popup as a WebUI page, which
 * Chromium loads ahead, in a renderer process of its own, for every new window, and Playwright
 * opens a window per browser context. Nobody types into an address bar here. With it, this
 * renderer was a third of the CPU of `npm run scenarios` (128 s against 83 s on 2 cores, and
 * 66 s against 45 s of wall time).
 */
const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

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
  const executablePath = findChromium() ?? chromium.executablePath();
  // Chromium reads only the last --disable-features it is given, and Playwright passes its own
  // list first: the script joins the two, where there is a bash to run it. A browser that is not
  // there is left to Playwright, whose error says how to get one.
  const joined = process.platform !== 'win32' && existsSync(executablePath);
  return chromium.launch({
    executablePath: joined ? ONE_FEATURE_LIST : executablePath,
    env: joined ? { ...process.env, LAB_BROWSER_EXECUTABLE: executablePath } : process.env,
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
      // (Spectre-class) attacks, which no scenario plays.
      '--disable-site-isolation-trials',
      // Headless only: a headed window (an instructor's --headed run) keeps its address bar as it is.
      ...(joined && !options.headed ? [`--disable-features=${DISABLED_FEATURES.join(',')}`] : []),
    ],
  });
}
