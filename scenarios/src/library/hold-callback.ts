import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * Holds the browser on the redirect back to the callback, so a learner can look at the code in
 * the URL before the BFF redeems it. Playwright's `page.route` does not see the later hops of a
 * redirect chain; the Chrome DevTools Protocol's Fetch domain does.
 */
export class CallbackHold {
  readonly #session: CDPSession;
  #paused: { requestId: string; url: string } | undefined;
  #waiters: Array<(url: string) => void> = [];

  private constructor(session: CDPSession) {
    this.#session = session;
    session.on('Fetch.requestPaused', (event: { requestId: string; request: { url: string } }) => {
      this.#paused = { requestId: event.requestId, url: event.request.url };
      for (const waiter of this.#waiters.splice(0)) waiter(event.request.url);
    });
  }

  static async install(context: BrowserContext, page: Page, urlPattern: string): Promise<CallbackHold> {
    const session = await context.newCDPSession(page);
    await session.send('Fetch.enable', { patterns: [{ urlPattern, requestStage: 'Request' }] });
    return new CallbackHold(session);
  }

  /** Resolves with the held URL once the browser is about to request it. */
  held(timeoutMs = 15_000): Promise<string> {
    if (this.#paused) return Promise.resolve(this.#paused.url);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the browser never reached the callback')), timeoutMs);
      this.#waiters.push((url) => {
        clearTimeout(timer);
        resolve(url);
      });
    });
  }

  /** Lets the held request go (to `url` instead, when given), and stops holding. */
  async release(url?: string): Promise<void> {
    const paused = this.#paused;
    if (!paused) throw new Error('nothing is held');
    this.#paused = undefined;
    await this.#session.send('Fetch.continueRequest', { requestId: paused.requestId, ...(url ? { url } : {}) });
    await this.#session.send('Fetch.disable');
  }

  /** Drops the held request: the browser never delivers it (the code stays unused). */
  async drop(): Promise<void> {
    const paused = this.#paused;
    if (!paused) throw new Error('nothing is held');
    this.#paused = undefined;
    await this.#session.send('Fetch.failRequest', { requestId: paused.requestId, errorReason: 'Aborted' });
    await this.#session.send('Fetch.disable');
  }
}
