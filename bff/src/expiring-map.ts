/**
 * A map whose entries end at their own expiry: `get` never returns an expired entry, and a sweep
 * every `sweepEveryMs` drops them, so memory holds only what is alive even when nobody asks again.
 * The sweep's timer is `unref`ed: it never keeps a process (or a test) running.
 */
export class ExpiringMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor({ now = () => Date.now(), sweepEveryMs = 30_000 }: { now?: () => number; sweepEveryMs?: number } = {}) {
    this.#now = now;
    this.#timer = setInterval(() => this.sweep(), sweepEveryMs);
    this.#timer.unref();
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** When the entry ends (epoch ms), or undefined when there is none alive. */
  expiresAt(key: string): number | undefined {
    return this.get(key) === undefined ? undefined : this.#entries.get(key)?.expiresAt;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.#entries.set(key, { value, expiresAt: this.#now() + Math.max(0, ttlMs) });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Entries still alive, oldest first. */
  *entries(): IterableIterator<[string, V]> {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt > now) yield [key, entry.value];
  }

  /** Entries held, the expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }

  /** Stops the sweep's timer (the entries stay readable). */
  close(): void {
    clearInterval(this.#timer);
  }
}
