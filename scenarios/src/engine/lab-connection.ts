import type { DefenceName, LabMode, LabTopology, LootItem, ServiceName, TraceEvent } from '@lab/shared';
import { LAB_KEY_HEADER } from '@lab/shared';
import { holdLabTime, moveLabTime, readLabClocks, type ServiceClock } from '@lab/wing';

export type { LootItem };

/** The services that record a trace and obey the control routes. */
const CONTROLLED: readonly ServiceName[] = ['authserver', 'bff', 'resource-api', 'attacker', 'spa'];

export interface ServiceSettings {
  readonly service: ServiceName;
  readonly weakened: DefenceName[];
  readonly fullView: boolean;
  readonly [extra: string]: unknown;
}

/** A scenario's handle on the running lab: its topology and its control routes. */
export class LabConnection {
  readonly topology: LabTopology;
  readonly #key: string;
  readonly #services: readonly ServiceName[];

  constructor(topology: LabTopology, controlKey: string, services: readonly ServiceName[] = CONTROLLED) {
    this.topology = topology;
    this.#key = controlKey;
    this.#services = services.filter((name) => CONTROLLED.includes(name));
  }

  get services(): readonly ServiceName[] {
    return this.#services;
  }

  async #call(service: ServiceName, path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.topology[service].url}/_lab${path}`, {
      ...init,
      headers: { [LAB_KEY_HEADER]: this.#key, 'Content-Type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok && response.status !== 204) {
      throw new Error(`lab control ${init.method ?? 'GET'} ${service} /_lab${path}: ${response.status} ${await response.text()}`);
    }
    return response;
  }

  /** A control route of one process by its own URL: a BFF instance other than the first, say. */
  async controlAt(baseUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${baseUrl}/_lab${path}`, {
      ...init,
      headers: { [LAB_KEY_HEADER]: this.#key, 'Content-Type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`lab control ${init.method ?? 'GET'} ${baseUrl}/_lab${path}: ${response.status} ${await response.text()}`);
    return response;
  }

  /** Where the BFF keeps its sessions, and the URLs of every BFF instance (`GET /_lab/store`). */
  async store(): Promise<LabStoreInfo> {
    return (await (await this.#call('bff', '/store')).json()) as LabStoreInfo;
  }

  async settings(): Promise<ServiceSettings[]> {
    return Promise.all(this.#services.map(async (service) => (await (await this.#call(service, '/settings')).json()) as ServiceSettings));
  }

  async update(service: ServiceName, patch: Record<string, unknown>): Promise<void> {
    await this.#call(service, '/settings', { method: 'PUT', body: JSON.stringify(patch) });
  }

  /** Switches off exactly these defences in every service (all others on). */
  async setWeakened(weakened: readonly DefenceName[]): Promise<void> {
    await Promise.all(this.#services.map((service) => this.update(service, { weakened })));
  }

  /**
   * The lab's mode: `bff` (the pattern) or `public-client` (the anti-pattern: the SPA holds the
   * tokens). The SPA changes its behaviour; the authserver and the API admit the public client.
   */
  async setMode(mode: LabMode): Promise<void> {
    const publicClient = mode === 'public-client';
    await Promise.all([this.update('spa', { mode }), this.update('authserver', { publicClient }), this.update('resource-api', { publicClient })]);
  }

  /** Where each service's trace is now, to read what happens after. */
  async traceMarks(): Promise<Map<ServiceName, number>> {
    const marks = await Promise.all(
      this.#services.map(async (service) => {
        const body = (await (await this.#call(service, '/trace?after=999999999')).json()) as { lastSeq: number };
        return [service, body.lastSeq] as const;
      }),
    );
    return new Map(marks);
  }

  /** Every service's events after the marks, in time order. */
  async traceSince(marks: Map<ServiceName, number>): Promise<TraceEvent[]> {
    const lists = await Promise.all(
      this.#services.map(async (service) => {
        const body = (await (await this.#call(service, `/trace?after=${marks.get(service) ?? 0}`)).json()) as { events: TraceEvent[] };
        return body.events;
      }),
    );
    return lists.flat().sort((a, b) => a.time.localeCompare(b.time) || a.seq - b.seq);
  }

  /** The lab's time in each clocked service (`GET /_lab/clock`). */
  async clocks(): Promise<ServiceClock[]> {
    return readLabClocks(this.topology, this.#key);
  }

  /**
   * Moves the lab's time `seconds` forward in every service, together (`PUT /_lab/clock`), and
   * returns what each reported as expired in the jump. The lab's time never goes back.
   */
  async moveTime(seconds: number): Promise<ServiceClock[]> {
    return moveLabTime(this.topology, this.#key, seconds);
  }

  /**
   * Holds the lab's time in every service (`true`: it stands still; calling again renews the hold,
   * which otherwise lapses after two minutes), or lets it run on from where it stood (`false`).
   * Step mode holds it while it waits for Enter. Holding needs the lab's time ahead of real time.
   */
  async holdTime(held: boolean): Promise<ServiceClock[]> {
    return holdLabTime(this.topology, this.#key, held);
  }

  /** What reached the attacker's collector (exfiltrated storage, Referers, landings). */
  async loot(): Promise<LootItem[]> {
    return ((await (await this.#call('attacker', '/loot')).json()) as { loot: LootItem[] }).loot;
  }

  async clearLoot(): Promise<void> {
    await this.#call('attacker', '/loot', { method: 'DELETE' });
  }

  /** Every user's notes back to the seed notes (`DELETE /_lab/notes` at the resource API). */
  async resetNotes(): Promise<void> {
    await this.#call('resource-api', '/notes', { method: 'DELETE' });
  }

  /**
   * LAB ONLY: a copy of the BFF's session store with the raw tokens (`GET /_lab/session-store`),
   * to play "a look inside the BFF" or "an attacker copied the store". A real BFF has no such route.
   */
  async sessionStoreBreach(): Promise<StolenSessionStore> {
    return (await (await this.#call('bff', '/session-store')).json()) as StolenSessionStore;
  }
}

/** What `GET /_lab/store` of a BFF says. */
export interface LabStoreInfo {
  readonly kind: 'memory' | 'redis';
  readonly url?: string;
  /** This instance's name: `bff#1`, or `bff` when it is the only one. */
  readonly instance: string;
  /** Every BFF instance's own URL (`http://127.0.0.1:<port>`), in port order. */
  readonly instances: readonly string[];
}

/** What the BFF's lab-only breach route returns: every signed-in session with its raw tokens. */
export interface StolenSessionStore {
  readonly warning: string;
  readonly sessions: ReadonlyArray<{
    readonly sid?: string;
    readonly sub?: string;
    readonly tokens: {
      readonly accessToken: string;
      readonly refreshToken?: string;
      readonly idToken?: string;
      /** Epoch milliseconds. */
      readonly accessTokenExpiresAt: number;
      /** How long the access token was issued for, in milliseconds. */
      readonly accessTokenLifetimeMs: number;
      readonly scope: string;
    };
  }>;
}
