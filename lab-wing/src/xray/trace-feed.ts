import { LAB_KEY_HEADER, type LabRunConfig, type LabTopology, type ServiceName, type TraceEvent } from '@lab/shared';
import type { TraceRecorder } from '../trace.ts';
import { EVERY_SESSION, FeedAudience, type FeedListener, type FeedScope } from './feed-audience.ts';

export { EVERY_SESSION, type FeedListener, type FeedScope } from './feed-audience.ts';

/** A lab service whose trace the feed reads through `GET /_lab/trace?after=N`. */
export interface TracePeer {
  readonly service: ServiceName;
  /** Its origin, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
}

export interface TraceFeedOptions {
  /** The BFF's own recorder: its events arrive at once (`subscribe`). */
  readonly recorder: TraceRecorder;
  /** The other recording services (authorization server, resource API, attacker). */
  readonly peers: readonly TracePeer[];
  /** The run's control key (`LAB_CONTROL_KEY`); without one the peers' traces cannot be read. */
  readonly controlKey: string | undefined;
  /**
   * How long an event is held before it is sent, so that a peer's event that started earlier (and
   * is pushed a moment later) can still go out before it: the feed sends in time order.
   */
  readonly settleMs?: number;
  /** How often held events are looked at, while somebody watches. */
  readonly releaseIntervalMs?: number;
  /** How long to wait before connecting again to a peer whose stream ended (a service that is down or restarting). */
  readonly reconnectMs?: number;
  /** How many recent events a new subscriber gets first. */
  readonly backlogSize?: number;
  /**
   * The time events settle against (epoch ms, as their `time`): `Date.now()` by default. While the
   * lab's clock is held, `Date` stands still and nothing would ever settle: the BFF gives a time
   * that goes on (`instrument-bff.ts`).
   */
  readonly now?: () => number;
}

export interface FeedSubscription {
  /** The recent events, oldest first. */
  readonly backlog: readonly TraceEvent[];
  unsubscribe(): void;
}

const STORE_LIMIT = 2000;
const IN_FLIGHT_LIMIT_MS = 12_000;
/** How long a new watcher waits for the peers' recent events before it gets its backlog. */
const CATCH_UP_LIMIT_MS = 1_500;

/**
 * LAB ONLY, the X-ray's source: every recording service's trace merged into one stream, in the
 * order the exchanges started. Each peer pushes its events (`GET /_lab/trace/stream`) while
 * someone who may see something watches; nobody watching, no stream is open and no event is shown.
 * An event is sent again (same `id`) when the signatures of its JWTs have been checked after it
 * was sent. Each subscriber gets only what its scope allows: events are grouped into flows by
 * their link keys, and a learner gets the flows of their own session, including an event that
 * joins one later (sent then).
 */
export class TraceFeed {
  readonly #options: Required<Omit<TraceFeedOptions, 'controlKey'>> & { controlKey: string | undefined };
  /** Every event known, by id; `sent` is the signature state last sent (undefined while held). */
  readonly #known = new Map<string, { event: TraceEvent; sent?: string }>();
  readonly #held: TraceEvent[] = [];
  readonly #audience = new FeedAudience();
  readonly #cursors = new Map<string, number>(); // by peer URL: sibling BFF instances are peers of one service
  /** The peers' open streams, while somebody watches. */
  readonly #streams = new Map<string, AbortController>(); // by peer URL, as the cursors
  /** Start times of the BFF's requests still being served: what starts after one waits for it. */
  readonly #inFlight = new Set<{ readonly start: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopOwn: (() => void) | undefined;
  /** Subscribers that may see something, those still being given their backlog included: the peers are polled while there is one. */
  #watchers = 0;
  #closed = false;

  constructor(options: TraceFeedOptions) {
    this.#options = { settleMs: 300, releaseIntervalMs: 100, reconnectMs: 1_000, backlogSize: 400, now: () => Date.now(), ...options };
  }

  /**
   * Starts watching: the listener gets every event from now on that `scope` allows; the backlog,
   * the recent ones. `onClose` is called when the feed closes (the BFF shuts down). A scope with
   * no session link can see nothing: it costs no polling.
   */
  async subscribe(listener: FeedListener, scope: FeedScope, onClose: () => void = () => undefined): Promise<FeedSubscription> {
    if (this.#closed) {
      onClose();
      return { backlog: [], unsubscribe: () => undefined };
    }
    const counted = scope === EVERY_SESSION || scope.sessionLinks.length > 0;
    if (counted && this.#watchers++ === 0) this.#start();
    if (counted) {
      await this.#caughtUp;
      this.#release(this.#options.now());
    }
    const backlog = this.#sentEvents()
      .filter((event) => this.#audience.allows(scope, event))
      .slice(-this.#options.backlogSize);
    let subscribed = true;
    const unsubscribe = () => {
      if (!subscribed) return;
      subscribed = false;
      this.#audience.leave(listener);
      if (counted && --this.#watchers === 0) this.#stop();
    };
    if (this.#closed) onClose();
    else this.#audience.join(listener, scope, onClose);
    return { backlog, unsubscribe };
  }

  /** The run's control key, which opens the instructor's view (undefined: the view does not exist). */
  get controlKey(): string | undefined {
    return this.#options.controlKey;
  }

  /**
   * Notes that the BFF started serving a request; call the result when it is done. Its event,
   * recorded at the end, started before the back-channel calls it makes: those are held until
   * it is recorded, so that the feed sends the enclosing exchange first.
   */
  requestStarted(): () => void {
    const request = { start: Date.now() };
    this.#inFlight.add(request);
    return () => this.#inFlight.delete(request);
  }

  /** Whether any service records secrets unshortened (the instructor's full view). */
  async fullView(): Promise<boolean> {
    if (this.#options.recorder.fullView) return true;
    const answers = await Promise.all(
      this.#options.peers.map(async (peer) => {
        const settings = await this.#read<{ fullView?: boolean }>(peer, '/_lab/settings');
        return settings?.fullView === true;
      }),
    );
    return answers.some(Boolean);
  }

  /** Stops polling and ends every subscriber's stream. */
  close(): void {
    this.#closed = true;
    this.#audience.closeAll();
    this.#stop();
  }

  /** Resolves once every peer has pushed its recent events (or could not, or took too long). */
  #caughtUp: Promise<void> = Promise.resolve();

  #start(): void {
    for (const event of this.#options.recorder.since(0)) this.#ingest(event);
    this.#stopOwn = this.#options.recorder.subscribe((event) => this.#ingest(event));
    const caughtUp = this.#options.controlKey ? this.#options.peers.map((peer) => this.#follow(peer)) : [];
    this.#caughtUp = Promise.race([Promise.all(caughtUp).then(() => undefined), delay(CATCH_UP_LIMIT_MS)]);
    this.#timer = setInterval(() => this.#release(this.#options.now()), this.#options.releaseIntervalMs);
    this.#timer.unref?.();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopOwn?.();
    this.#stopOwn = undefined;
    for (const stream of this.#streams.values()) stream.abort();
    this.#streams.clear();
  }

  /**
   * Reads a peer's pushed trace for as long as somebody watches, connecting again after a while when
   * it ends (the peer restarted or is down). Resolves once the peer's recent events are in, or the
   * first connection failed.
   */
  #follow(peer: TracePeer): Promise<void> {
    const controller = new AbortController();
    this.#streams.set(peer.url, controller);
    let caughtUp: () => void = () => undefined;
    const firstCatchUp = new Promise<void>((resolve) => (caughtUp = resolve));
    const run = async () => {
      while (!controller.signal.aborted) {
        await this.#readStream(peer, controller.signal, caughtUp).catch(() => undefined);
        caughtUp();
        if (!controller.signal.aborted) await delay(this.#options.reconnectMs);
      }
    };
    void run();
    return firstCatchUp;
  }

  async #readStream(peer: TracePeer, signal: AbortSignal, caughtUp: () => void): Promise<void> {
    const cursor = this.#cursors.get(peer.url) ?? 0;
    const response = await fetch(`${peer.url}/_lab/trace/stream?after=${cursor}`, { headers: { [LAB_KEY_HEADER]: this.#options.controlKey ?? '' }, signal });
    if (!response.ok || !response.body) return;
    let buffered = '';
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end = buffered.indexOf('\n');
      while (end >= 0) {
        const line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        end = buffered.indexOf('\n');
        if (line === '') continue;
        const message = JSON.parse(line) as TraceEvent | { lastSeq: number } | { caughtUp: true };
        if ('caughtUp' in message) caughtUp();
        // A restarted service counts from 1 again: read it from its start.
        else if (!('id' in message)) {
          if (message.lastSeq < cursor) this.#cursors.set(peer.url, 0);
        } else {
          this.#ingest(message);
          this.#cursors.set(peer.url, Math.max(this.#cursors.get(peer.url) ?? 0, message.seq));
        }
      }
    }
  }

  /** A new event is held until it settles; a known one that was already sent is sent again if its signatures changed. */
  #ingest(event: TraceEvent): void {
    const known = this.#known.get(event.id);
    if (!known) {
      this.#known.set(event.id, { event });
      this.#audience.link(event, (id) => {
        const known = this.#known.get(id);
        return known?.sent !== undefined ? known.event : undefined;
      });
      this.#held.push(event);
      this.#trim();
      return;
    }
    known.event = event;
    const held = this.#held.findIndex((candidate) => candidate.id === event.id);
    if (held >= 0) this.#held[held] = event;
    else if (known.sent !== undefined && known.sent !== signaturesOf(event)) {
      known.sent = signaturesOf(event);
      this.#audience.send(event);
    }
  }

  /**
   * Sends the held events in start-time order: each once it ended `settleMs` ago and the peers
   * have been read since, and nothing that started after one still waiting (or after a request
   * the BFF is still serving).
   */
  #release(now: number): void {
    // A request that runs for long (or was never finished) stops holding the others back after a while.
    const watermark = Math.min(...[...this.#inFlight].map((request) => request.start).filter((start) => now - start < IN_FLIGHT_LIMIT_MS));
    const ready: TraceEvent[] = [];
    for (const event of [...this.#held].sort(byTime)) {
      if (endOf(event) + this.#options.settleMs > now || Date.parse(event.time) >= watermark) break;
      ready.push(event);
    }
    for (const event of ready) {
      this.#held.splice(this.#held.indexOf(event), 1);
      const known = this.#known.get(event.id);
      if (known) known.sent = signaturesOf(known.event);
      this.#audience.send(known?.event ?? event);
    }
  }

  #sentEvents(): TraceEvent[] {
    return [...this.#known.values()]
      .filter((known) => known.sent !== undefined)
      .map((known) => known.event)
      .sort(byTime);
  }

  #trim(): void {
    if (this.#known.size <= STORE_LIMIT) return;
    const oldest = [...this.#known.values()]
      .map((known) => known.event)
      .sort(byTime)
      .slice(0, this.#known.size - STORE_LIMIT);
    for (const event of oldest) this.#known.delete(event.id);
    this.#audience.forget(
      oldest.map((event) => event.id),
      () => [...this.#known.values()].map((known) => known.event).sort(byTime),
    );
  }

  async #read<T>(peer: TracePeer, path: string): Promise<T | undefined> {
    try {
      const response = await fetch(`${peer.url}${path}`, {
        headers: { [LAB_KEY_HEADER]: this.#options.controlKey ?? '' },
        signal: AbortSignal.timeout(1_500),
      });
      return response.ok ? ((await response.json()) as T) : undefined;
    } catch {
      return undefined; // a service that is down (the attacker is optional) counts as not in full view
    }
  }
}

function endOf(event: TraceEvent): number {
  return Date.parse(event.time) + event.durationMs;
}

function byTime(a: TraceEvent, b: TraceEvent): number {
  return a.time.localeCompare(b.time) || endOf(b) - endOf(a) || a.service.localeCompare(b.service) || a.seq - b.seq;
}

function signaturesOf(event: TraceEvent): string {
  return (event.jwts ?? []).map((jwt) => jwt.signature).join(',');
}

/**
 * The feed of a BFF in the lab: its own recorder, and the three other recording services; with
 * several BFF instances (`siblingUrls`), the other instances too, since a user's exchanges land on any of them.
 */
export function createXrayFeed(
  config: { readonly topology: LabTopology; readonly lab: Pick<LabRunConfig, 'controlKey'>; readonly siblingUrls?: readonly string[] },
  recorder: TraceRecorder,
  overrides: Partial<Omit<TraceFeedOptions, 'recorder'>> = {},
): TraceFeed {
  const peers: TracePeer[] = (['authserver', 'resource-api', 'attacker'] as const).map((service) => ({ service, url: config.topology[service].url }));
  peers.push(...(config.siblingUrls ?? []).map((url) => ({ service: 'bff' as const, url })));
  return new TraceFeed({ recorder, peers, controlKey: config.lab.controlKey, ...overrides });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
