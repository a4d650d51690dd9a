import type { TraceEvent } from '@lab/shared';
import { LinkGroups } from './link-groups.ts';

export type FeedListener = (event: TraceEvent) => void;

export const EVERY_SESSION = 'every-session';

/**
 * What a subscriber may see: every session's exchanges (the instructor, with the run's control
 * key), or the flows linked to these BFF session link keys (a learner: their own session). An
 * exchange linked to no session is seen by the instructor only.
 */
export type FeedScope = typeof EVERY_SESSION | { readonly sessionLinks: readonly string[] };

interface Watcher {
  readonly scope: FeedScope;
  readonly onClose: () => void;
}

/**
 * Link keys kept before the flows are rebuilt from the events still known: a few per event of the
 * 2,000 the feed keeps, with room for the keys of forgotten events. It bounds what the X-ray holds
 * while somebody watches (about 120 bytes a key: some 1.2 MB, against some 5 MB at the 40,000 it
 * was) however many users sign in. Nobody watching, the feed takes in no event and holds no key.
 */
const LINK_KEY_LIMIT = 10_000;

/**
 * LAB ONLY: who watches the X-ray's feed, and what each may see. Events are grouped into flows by
 * their link keys (`LinkGroups`); a learner is sent the events of the flows of their own session,
 * the instructor every event.
 */
export class FeedAudience {
  readonly #watchers = new Map<FeedListener, Watcher>();
  #flows = new LinkGroups();
  /** When to rebuild: the limit, or twice what the last rebuild kept, so that a rebuild is never due again at once. */
  #rebuildAbove = LINK_KEY_LIMIT;

  /** How many link keys the flows hold: what the X-ray keeps beside the events themselves. */
  get linkKeys(): number {
    return this.#flows.size;
  }

  join(listener: FeedListener, scope: FeedScope, onClose: () => void): void {
    this.#watchers.set(listener, { scope, onClose });
  }

  leave(listener: FeedListener): void {
    this.#watchers.delete(listener);
  }

  /** Tells every watcher the feed has closed. */
  closeAll(): void {
    for (const { onClose } of this.#watchers.values()) onClose();
    this.#watchers.clear();
  }

  /** Whether a subscriber of `scope` may see `event`: it is in a flow of the subscriber's session. */
  allows(scope: FeedScope, event: TraceEvent): boolean {
    if (scope === EVERY_SESSION) return true;
    const flow = this.#flows.groupOf(event.id);
    return flow !== undefined && scope.sessionLinks.some((link) => this.#flows.find(link) === flow);
  }

  /** Sends an event to every watcher who may see it. */
  send(event: TraceEvent): void {
    for (const [listener, { scope }] of this.#watchers) if (this.allows(scope, event)) listener(event);
  }

  /**
   * Adds a new event to its flow. When it joins flows, a learner who watched one of them now sees
   * the others: what of them was already sent (`sentEvent`) goes to that learner at once.
   */
  link(event: TraceEvent, sentEvent: (id: string) => TraceEvent | undefined): void {
    const keys = event.links ?? [];
    if (keys.length === 0) return;
    const learners = [...this.#watchers]
      .map(([listener, { scope }]) => ({ listener, links: scope === EVERY_SESSION ? [] : scope.sessionLinks }))
      .filter(({ links }) => links.length > 0)
      .map(({ listener, links }) => ({ listener, watched: new Set(links.map((link) => this.#flows.find(link))) }));
    const joined = this.#flows.add(event.id, keys);
    if (joined.length === 0) return;
    for (const { listener, watched } of learners) {
      if (!joined.some(({ group }) => watched.has(group))) continue;
      const newlySeen = joined
        .filter(({ group }) => !watched.has(group))
        .flatMap(({ events }) => [...events])
        .flatMap((id) => sentEvent(id) ?? [])
        .sort((a, b) => a.time.localeCompare(b.time));
      for (const seen of newlySeen) listener(seen);
    }
  }

  /**
   * Forgets events the feed no longer keeps. Their keys stay (they still join flows) until there
   * are too many; then the flows start over from the events still kept (`kept`, oldest first).
   */
  forget(eventIds: readonly string[], kept: () => readonly TraceEvent[]): void {
    for (const id of eventIds) this.#flows.remove(id);
    if (this.#flows.size <= this.#rebuildAbove) return;
    this.#flows = new LinkGroups();
    for (const event of kept()) this.#flows.add(event.id, event.links ?? []);
    this.#rebuildAbove = Math.max(LINK_KEY_LIMIT, 2 * this.#flows.size);
  }
}
