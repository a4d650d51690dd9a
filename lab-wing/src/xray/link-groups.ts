/**
 * LAB ONLY: the X-ray's flows. Trace events that share a link key (see `@lab/shared`'s
 * `trace-links.ts`) are one group, and so are events linked through others: the login at the
 * BFF (its `state`) with the authorization request, the interaction pages (their id), the
 * redirect back (its code), the callback (old and new session id), the token request (its code,
 * its tokens). A union-find over the keys, each group knowing its events: adding an event costs
 * a few lookups.
 */
export class LinkGroups {
  readonly #parent = new Map<string, string>();
  /** Group (its root key) → the ids of its events. */
  readonly #members = new Map<string, Set<string>>();
  /** Event id → one of its keys (its group is that key's). */
  readonly #keyOf = new Map<string, string>();

  /** How many keys are known (the feed starts over when it grows too large). */
  get size(): number {
    return this.#parent.size;
  }

  /** The group of a key: its root. A key never seen is a group of its own, with no events. */
  find(key: string): string {
    let current = key;
    for (;;) {
      const parent = this.#parent.get(current);
      if (parent === undefined || parent === current) return current;
      const grandparent = this.#parent.get(parent) ?? parent;
      this.#parent.set(current, grandparent);
      current = grandparent;
    }
  }

  /** The group of an event, or undefined for an event without links (it belongs to no flow). */
  groupOf(eventId: string): string | undefined {
    const key = this.#keyOf.get(eventId);
    return key === undefined ? undefined : this.find(key);
  }

  /** The ids of the events of a group. */
  membersOf(group: string): ReadonlySet<string> {
    return this.#members.get(group) ?? EMPTY;
  }

  /**
   * Adds an event with its keys, joining their groups. When it joined two or more, returns them
   * as they were before (root and events; read them at once): a viewer of one now sees the others.
   */
  add(eventId: string, keys: readonly string[]): Array<{ readonly group: string; readonly events: ReadonlySet<string> }> {
    const first = keys[0];
    if (first === undefined || this.#keyOf.has(eventId)) return [];
    const roots = [...new Set(keys.map((key) => this.find(key)))];
    // The largest group stays the root: its events are not moved (nor copied).
    const root = roots.reduce((best, candidate) => (this.membersOf(candidate).size > this.membersOf(best).size ? candidate : best));
    const others = roots.filter((group) => group !== root).map((group) => ({ group, events: this.membersOf(group) }));
    const members = this.#members.get(root) ?? new Set<string>();
    this.#parent.set(root, root);
    for (const { group, events } of others) {
      this.#parent.set(group, root);
      for (const id of events) members.add(id);
      this.#members.delete(group);
    }
    members.add(eventId);
    this.#members.set(root, members);
    this.#keyOf.set(eventId, first);
    if (others.length === 0) return [];
    // The root's events as they were: computed only when asked for (a viewer of another group).
    const moved = new Set(others.flatMap(({ events }) => [...events]));
    const rootBefore = {
      group: root,
      get events(): ReadonlySet<string> {
        return new Set([...members].filter((id) => id !== eventId && !moved.has(id)));
      },
    };
    return [rootBefore, ...others];
  }

  /** Forgets an event (its keys stay: they still tie the others). */
  remove(eventId: string): void {
    const group = this.groupOf(eventId);
    this.#keyOf.delete(eventId);
    if (group !== undefined) this.#members.get(group)?.delete(eventId);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
