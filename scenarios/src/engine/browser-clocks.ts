import type { BrowserContext } from 'playwright-core';

/**
 * The clocks of a run's browsers, on the lab's time (Playwright's `clock.setSystemTime`, which
 * keeps timers real): a browser made while the lab runs ahead of real time starts on the lab's
 * time, and every browser follows when the lab's time moves or has stood still.
 *
 * Playwright sets a browser's clock inside its pages, and a page whose navigation is held
 * (`CallbackHold`) answers only once the navigation goes on. So each browser takes one setting at
 * a time, in order, and settings asked for while one waits are folded into the next, made with
 * the lab's time of the moment it is sent: a late answer never puts a browser back to an old time.
 */
export class BrowserClocks {
  #offsetMs: number;
  /** Whether the browsers follow the lab: once it has run ahead of real time (before, real time is the lab's). */
  #following: boolean;
  readonly #queues = new Map<BrowserContext, Promise<void>>();
  /** Browsers with a setting waiting in line: it will use the newest offset when its turn comes. */
  readonly #waiting = new Set<BrowserContext>();

  constructor(offsetMs: number) {
    this.#offsetMs = offsetMs;
    this.#following = offsetMs > 0;
  }

  /** How far the lab's time is ahead of real time, as the browsers were last told. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** A new browser of the run: on the lab's time from the start. */
  add(context: BrowserContext): Promise<void> {
    return this.#set(context);
  }

  /**
   * The lab's time is now `offsetMs` ahead of real time: every browser follows. Resolves once all
   * have, or after `patienceMs` (a browser whose page is held takes the time when it goes on).
   */
  async follow(contexts: readonly BrowserContext[], offsetMs: number, patienceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#offsetMs = offsetMs;
    this.#following ||= offsetMs > 0;
    const following = Promise.all(contexts.map((context) => this.#set(context)));
    if (!Number.isFinite(patienceMs)) {
      await following;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, patienceMs);
    });
    await Promise.race([following.catch(() => undefined), patience]);
    clearTimeout(timer);
  }

  #set(context: BrowserContext): Promise<void> {
    if (!this.#following) return Promise.resolve();
    const queued = this.#queues.get(context);
    if (queued && this.#waiting.has(context)) return queued;
    this.#waiting.add(context);
    const next = (queued ?? Promise.resolve()).then(async () => {
      this.#waiting.delete(context);
      await context.clock.setSystemTime(Date.now() + this.#offsetMs);
    });
    // The line goes on after a browser that was closed meanwhile; the caller still hears of it.
    this.#queues.set(
      context,
      next.catch(() => undefined),
    );
    return next;
  }
}
