import type { AdapterFactory, AdapterPayload } from 'oidc-provider';
import { AnonymousEntriesFull, isAnonymousEntry } from './anonymous-entries.ts';

export interface MemoryStorageOptions {
  /**
   * The most entries of each anonymous kind (anonymous-entries.ts) kept at once; past it a new
   * one is refused with 429. Everything else is kept, however much of it, until its own expiry.
   */
  readonly maxAnonymousEntries: number;
  /** How often expired entries are swept out, in ms. Meanwhile they are never handed out. */
  readonly purgeIntervalMs?: number;
  /**
   * Confidential clients (the BFF): the DPoP proofs they send come with client authentication, so
   * their `ReplayDetection` records are not anonymous (anonymous-entries.ts).
   */
  readonly confidentialClients?: readonly string[];
}

/** The tokens and codes issued under a grant: what revoking the grant (RFC 7009 §2.1) takes down. */
export const ISSUED_UNDER_A_GRANT: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

interface Row {
  readonly model: string;
  readonly id: string;
  /** The payload as JSON: every find hands out a fresh copy, as a database would. */
  readonly json: string;
  /** Epoch ms; `Infinity` for what oidc-provider stores without a lifetime. */
  readonly expiresAt: number;
  /** Epoch seconds: a code or a rotated refresh token, kept so that its reuse is seen (RFC 9700 §4.14.2). */
  consumed?: number;
  readonly uid?: string | undefined;
  readonly userCode?: string | undefined;
  readonly grantId?: string | undefined;
  readonly anonymous: boolean;
}

/** One model's rows and lookups. */
class Table {
  readonly rows = new Map<string, Row>();
  readonly idByUid = new Map<string, string>();
  readonly idByUserCode = new Map<string, string>();
  /** Ids of the anonymous rows, soonest expiry first (a model gives all its rows one lifetime). */
  readonly anonymousIds = new Set<string>();
}

/**
 * oidc-provider's storage (its `adapter`), in this process's memory: Sessions, Grants, codes,
 * tokens and Interactions, each kept until its own expiry and no longer. Unlike the provider's
 * development adapter (an LRU of ~1,000 entries), nothing live is ever evicted to make room:
 * only what anonymous callers can create is capped, so their traffic cannot push signed-in
 * users out. Lost on restart; a shared store (Redis) is for deployments with several processes.
 *
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#adapter
 */
export class MemoryStorage {
  readonly #tables = new Map<string, Table>();
  readonly #rowsByGrantId = new Map<string, Set<Row>>();
  readonly #maxAnonymousEntries: number;
  readonly #confidentialClients: ReadonlySet<string>;
  readonly #purgeTimer: NodeJS.Timeout;

  constructor({ maxAnonymousEntries, purgeIntervalMs = 60_000, confidentialClients = [] }: MemoryStorageOptions) {
    if (!Number.isInteger(maxAnonymousEntries) || maxAnonymousEntries < 1) throw new RangeError('maxAnonymousEntries must be a whole number from 1');
    if (!(purgeIntervalMs > 0)) throw new RangeError('purgeIntervalMs must be more than 0');
    this.#maxAnonymousEntries = maxAnonymousEntries;
    this.#confidentialClients = new Set(confidentialClients);
    this.#purgeTimer = setInterval(() => this.purgeExpired(), purgeIntervalMs);
    // Housekeeping must not keep the process alive.
    this.#purgeTimer.unref();
  }

  /** What goes into oidc-provider's configuration as `adapter`: one adapter per model name. */
  readonly adapter: AdapterFactory = (model) => ({
    upsert: async (id, payload, expiresIn) => this.#upsert(model, id, payload, expiresIn),
    find: async (id) => this.#read(this.#live(model, id)),
    findByUid: async (uid) => this.#read(this.#live(model, this.#table(model).idByUid.get(uid))),
    findByUserCode: async (userCode) => this.#read(this.#live(model, this.#table(model).idByUserCode.get(userCode))),
    consume: async (id) => {
      const row = this.#live(model, id);
      if (row) row.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      const row = this.#table(model).rows.get(id);
      if (row) this.#remove(row);
    },
    // Called once per token model; the first call takes down every model's rows of the grant.
    revokeByGrantId: async (grantId) => {
      for (const row of this.#rowsByGrantId.get(grantId) ?? []) this.#remove(row);
    },
  });

  /** Drops every expired entry and returns how many. Runs by itself every `purgeIntervalMs`. */
  purgeExpired(): number {
    const now = Date.now();
    let purged = 0;
    for (const table of this.#tables.values()) {
      for (const row of table.rows.values()) {
        if (row.expiresAt <= now) {
          this.#remove(row);
          purged += 1;
        }
      }
    }
    return purged;
  }

  /** How many entries of each model end between two times (epoch ms): an operator's view of what expires. */
  expiringBetween(fromMs: number, toMs: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [model, table] of this.#tables) {
      for (const row of table.rows.values()) {
        if (row.expiresAt > fromMs && row.expiresAt <= toMs && row.consumed === undefined) counts[model] = (counts[model] ?? 0) + 1;
      }
    }
    return counts;
  }

  /** How much is kept: entries in all, grants with tokens, anonymous entries per model. */
  stats(): { entries: number; grantsWithTokens: number; anonymous: Record<string, number> } {
    let entries = 0;
    const anonymous: Record<string, number> = {};
    for (const [model, table] of this.#tables) {
      entries += table.rows.size;
      if (table.anonymousIds.size > 0) anonymous[model] = table.anonymousIds.size;
    }
    return { entries, grantsWithTokens: this.#rowsByGrantId.size, anonymous };
  }

  /** Stops the sweeps (tests; the process exits without it). */
  close(): void {
    clearInterval(this.#purgeTimer);
  }

  #upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const table = this.#table(model);
    const now = Date.now();
    const previous = this.#live(model, id);
    const anonymous = isAnonymousEntry(model, payload, this.#confidentialClients);
    // Only a new anonymous entry can be refused: an update (a sign-in going on) always goes through.
    if (anonymous && !previous?.anonymous) this.#makeRoom(model, table, now);
    const row: Row = {
      model,
      id,
      json: JSON.stringify(payload),
      expiresAt: typeof expiresIn === 'number' ? now + expiresIn * 1000 : Infinity,
      uid: stringOrUndefined(payload.uid),
      userCode: stringOrUndefined(payload.userCode),
      grantId: ISSUED_UNDER_A_GRANT.has(model) ? stringOrUndefined(payload.grantId) : undefined,
      anonymous,
    };
    if (previous) this.#unindex(table, previous, row);
    table.rows.set(id, row);
    if (row.uid !== undefined) table.idByUid.set(row.uid, id);
    if (row.userCode !== undefined) table.idByUserCode.set(row.userCode, id);
    if (row.grantId !== undefined) {
      const members = this.#rowsByGrantId.get(row.grantId) ?? new Set<Row>();
      this.#rowsByGrantId.set(row.grantId, members.add(row));
    }
    if (anonymous) table.anonymousIds.add(id);
  }

  /** Refuses a new anonymous entry of `model` at the cap, once the expired ones are gone. */
  #makeRoom(model: string, table: Table, now: number): void {
    if (table.anonymousIds.size < this.#maxAnonymousEntries) return;
    for (const id of table.anonymousIds) {
      const row = table.rows.get(id);
      if (row && row.expiresAt > now) {
        if (table.anonymousIds.size < this.#maxAnonymousEntries) return;
        throw new AnonymousEntriesFull(model, this.#maxAnonymousEntries, Math.max(1, Math.ceil((row.expiresAt - now) / 1000)));
      }
      if (row) this.#remove(row);
      else table.anonymousIds.delete(id);
    }
  }

  /** The row for `id` if it has not expired; an expired one is dropped on the way. */
  #live(model: string, id: string | undefined): Row | undefined {
    if (id === undefined) return undefined;
    const row = this.#table(model).rows.get(id);
    if (row === undefined || row.expiresAt > Date.now()) return row;
    this.#remove(row);
    return undefined;
  }

  #read(row: Row | undefined): AdapterPayload | undefined {
    if (row === undefined) return undefined;
    const payload = JSON.parse(row.json) as AdapterPayload;
    return row.consumed === undefined ? payload : { ...payload, consumed: row.consumed };
  }

  #remove(row: Row): void {
    const table = this.#table(row.model);
    if (table.rows.get(row.id) !== row) return;
    table.rows.delete(row.id);
    this.#unindex(table, row, undefined);
  }

  /** Takes `row` out of the lookups; `next` is the row that replaces it, if any. */
  #unindex(table: Table, row: Row, next: Row | undefined): void {
    if (row.uid !== undefined && table.idByUid.get(row.uid) === row.id) table.idByUid.delete(row.uid);
    if (row.userCode !== undefined && table.idByUserCode.get(row.userCode) === row.id) table.idByUserCode.delete(row.userCode);
    if (row.grantId !== undefined) {
      const members = this.#rowsByGrantId.get(row.grantId);
      members?.delete(row);
      if (members?.size === 0) this.#rowsByGrantId.delete(row.grantId);
    }
    // An update keeps its place in the expiry order unless it now expires later (then: last).
    if (!(next?.anonymous && next.expiresAt <= row.expiresAt)) table.anonymousIds.delete(row.id);
  }

  #table(model: string): Table {
    let table = this.#tables.get(model);
    if (table === undefined) {
      table = new Table();
      this.#tables.set(model, table);
    }
    return table;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
