import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestSpa, type TestSpa } from '../../server/support/start-spa.ts';

/**
 * A page in a real Chromium on the SPA's real origin (its Vite dev server, with all the lab's
 * plugins, on port 0), empty but for the elements a test mounts. The element's module is loaded by
 * Vite exactly as the app loads it (TypeScript, Lit's decorators, `@lab/shared` imports), so what
 * is tested is the code the learner's browser runs, without the rest of the lab.
 */
export interface ElementPages {
  readonly spa: TestSpa;
  /** A fresh page (its own cookies and storage) with the module at `modulePath` (`/src/…`) loaded. */
  open(modulePath: string): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium (no browser download here), or `LAB_CHROMIUM`. */
function chromiumPath(): string | undefined {
  return process.env.LAB_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => existsSync(candidate));
}

export async function startElementPages(): Promise<ElementPages> {
  const spa = await startTestSpa();
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  } catch (error) {
    await spa.close();
    throw error;
  }
  const blankPath = '/__element-test__';
  return {
    spa,
    async open(modulePath) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // The document is an empty page on the SPA's origin that loads one module, as index.html
      // loads the app's: a module script runs before DOMContentLoaded, so goto returns after it.
      const html = `<!doctype html><meta charset="utf-8"><title>element test</title><script type="module" src="${modulePath}"></script><body></body>`;
      await page.route(`${spa.url}${blankPath}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
      const failed: string[] = [];
      page.on('pageerror', (error) => failed.push(error.message));
      await page.goto(`${spa.url}${blankPath}`);
      if (failed.length > 0) throw new Error(`${modulePath} failed to load: ${failed.join('; ')}`);
      return page;
    },
    async close() {
      await browser.close();
      await spa.close();
    },
  };
}
