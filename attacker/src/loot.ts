import { randomUUID } from 'node:crypto';
import type { LootItem } from '@lab/shared';

export type { LootItem };

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
