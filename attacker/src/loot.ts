import { randomUUID } from 'node:crypto';

/** One thing that reached the attacker: what a payload sent, a Referer a pixel saw, a landing. */
export interface LootItem {
  readonly id: string;
  readonly time: string;
  /** How it arrived: `collect` (a script sent it), `pixel` (an image request's Referer), `landing` (a redirect). */
  readonly channel: 'collect' | 'pixel' | 'landing';
  /** The payload's or page's label, e.g. `steal-storage`. */
  readonly label: string;
  readonly data: unknown;
  readonly referer?: string;
}

/** What the attacker has collected so far, in memory. */
export class LootStore {
  readonly #items: LootItem[] = [];

  add(item: Omit<LootItem, 'id' | 'time'>): LootItem {
    const stored = { ...item, id: randomUUID(), time: new Date().toISOString() };
    this.#items.push(stored);
    if (this.#items.length > 500) this.#items.shift();
    return stored;
  }

  list(): readonly LootItem[] {
    return this.#items;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
