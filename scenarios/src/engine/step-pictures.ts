import type { BrowserContext } from 'playwright-core';
import type { LabTopology } from '@lab/shared';
import type { StepScreenshot } from './scenario.ts';

/**
 * The pictures a report shows of a step that took none itself: each open page of the step's
 * browsers as the step left it (Mallory's lure page, the framed login, the JSON of a refused
 * request...), skipping blank pages and pages that look exactly as in the last picture of them.
 * At most `max` per step, the most recently opened pages first.
 */
export class StepPictures {
  readonly #last = new Map<unknown, string>();

  async take(contexts: readonly BrowserContext[], topology: LabTopology, max = 2): Promise<StepScreenshot[]> {
    const pages = contexts.flatMap((context) => context.pages()).filter((page) => !page.isClosed() && page.url() !== 'about:blank');
    const pictures: StepScreenshot[] = [];
    for (const page of pages.reverse()) {
      if (pictures.length >= max) break;
      let png: string;
      try {
        png = (await page.screenshot({ type: 'png', timeout: 3_000 })).toString('base64');
      } catch {
        continue; // a page closing or navigating: the story goes on without its picture
      }
      if (this.#last.get(page) === png) continue;
      this.#last.set(page, png);
      pictures.push({ caption: captionFor(page.url(), topology), png });
    }
    return pictures;
  }
}

/** Whose page it is, and where (without the query, which can be long and holds codes). */
function captionFor(url: string, topology: LabTopology): string {
  const parsed = new URL(url);
  const where = `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  const whose =
    parsed.origin === new URL(topology.attacker.url).origin
      ? "Mallory's page"
      : parsed.origin === new URL(topology.authserver.url).origin
        ? "The authorization server's page"
        : parsed.pathname.startsWith('/api/') || parsed.pathname.startsWith('/bff/')
          ? "The BFF's answer as the browser shows it"
          : 'The app';
  return `${whose} when the step ended: ${where}`;
}
