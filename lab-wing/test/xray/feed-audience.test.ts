import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@lab/shared';
import { FeedAudience } from '../../src/xray/feed-audience.ts';

/** The feed keeps the newest 2,000 events; each sign-in brings events with keys of their own. */
const KEPT = 2_000;

function event(id: number, links: readonly string[]): TraceEvent {
  return { id: `e${id}`, links, time: new Date(id).toISOString() } as unknown as TraceEvent;
}

/**
 * Adds `count` events as the feed does: link each, and forget the oldest beyond `KEPT`. Returns
 * the events still kept and the most link keys held at any time.
 */
function feed(
  audience: FeedAudience,
  count: number,
  linksOf: (id: number) => readonly string[],
  onRebuild = () => {},
): { known: TraceEvent[]; largest: number } {
  const known: TraceEvent[] = [];
  let largest = 0;
  for (let id = 0; id < count; id += 1) {
    const added = event(id, linksOf(id));
    known.push(added);
    audience.link(added, () => undefined);
    const dropped = known.splice(0, Math.max(0, known.length - KEPT));
    audience.forget(
      dropped.map(({ id: droppedId }) => droppedId),
      () => {
        onRebuild();
        return known;
      },
    );
    largest = Math.max(largest, audience.linkKeys);
  }
  return { known, largest };
}

describe("the X-ray's flows", () => {
  it('hold at most 10,000 link keys however many users sign in', () => {
    const audience = new FeedAudience();
    const { largest } = feed(audience, 30_000, (id) => [`state-${id}`, `code-${id}`, `session-${Math.floor(id / 4)}`]);
    // Over the limit by the one event whose keys were just added, then rebuilt from the kept ones.
    expect(largest).toBeLessThanOrEqual(10_003);
    expect(audience.linkKeys).toBeLessThanOrEqual(10_000);
  });

  it("still show a learner the flows of their own session after the keys were rebuilt, and nobody else's", () => {
    const audience = new FeedAudience();
    // Every tenth event is alice's (her session's link), the others strangers'.
    const { known } = feed(audience, 25_000, (id) => (id % 10 === 0 ? ['alice-session', `code-${id}`] : [`state-${id}`, `other-${id}`]));
    const alice = { sessionLinks: ['alice-session'] };
    const hers = known.filter((kept) => kept.links?.includes('alice-session'));
    const others = known.filter((kept) => !kept.links?.includes('alice-session'));
    expect(hers.length).toBe(KEPT / 10);
    expect(hers.every((kept) => audience.allows(alice, kept))).toBe(true);
    expect(others.some((kept) => audience.allows(alice, kept))).toBe(false);
  });

  it('are not rebuilt again at once when the kept events alone carry more keys than the limit', () => {
    const audience = new FeedAudience();
    let rebuilds = 0;
    // Eight keys per event: the 2,000 kept events carry 16,000, above the limit of 10,000.
    const { largest } = feed(
      audience,
      6_000,
      (id) => Array.from({ length: 8 }, (_, key) => `k${id}-${key}`),
      () => {
        rebuilds += 1;
      },
    );
    expect(largest).toBeGreaterThan(10_000);
    expect(largest).toBeLessThanOrEqual(2 * 16_000 + 8);
    // A rebuild keeps 16,000 keys and waits for twice as many: a handful of rebuilds, not one per event.
    expect(rebuilds).toBeGreaterThan(0);
    expect(rebuilds).toBeLessThan(10);
  });
});
