import { randomUUID } from 'node:crypto';
import type { DecodedJwt, RawExchange, ServiceName, TraceEvent } from '@lab/shared';
import { REQUEST_HEADERS, RESPONSE_HEADERS, excerpt, onlyHeaders, pickHeaders, redactUrl, viewCookies, viewParams } from './redact-exchange.ts';
import { decodeFoundJwt, findJwts, type JwtVerifier } from './trace-jwts.ts';
import { captureServiceLinks, findLinks, type CapturedLinks } from './trace-links.ts';

/**
 * LAB ONLY, the lab's trace: every HTTP exchange a service serves or makes, in one shape (the
 * contract's `TraceEvent`), so that the scenarios can narrate what the browser cannot see and the
 * X-ray can draw it live. Secrets are shortened when an event is shown (`redact-exchange.ts`),
 * unless the instructor's full view is on.
 */

/** A recorded exchange nobody has read yet: what it is made from, kept as it came. */
interface Unread {
  readonly unread: true;
  readonly seq: number;
  readonly raw: RawExchange | (() => RawExchange);
  readonly fullView: boolean;
  readonly serviceLinks: CapturedLinks;
}

/** What an exchange nobody has read yet keeps of each body. */
const KEPT_BODY_LIMIT = 16_384;

export { currentCorrelationId, runWithCorrelation } from './request-context.ts';

/**
 * Called with each event as it is recorded (`recorded`), and again with the same event when the
 * signatures of its JWTs have been checked (`verified`).
 */
export type TraceListener = (event: TraceEvent, change: 'recorded' | 'verified') => void;

/** A bounded, in-memory recording of one service's exchanges. */
export class TraceRecorder {
  readonly service: ServiceName;
  /** The instructor's full view: record secrets unshortened. Off unless switched on. */
  fullView = false;
  /** Stamped on every event when several processes serve this service (`bff#2`); unset for a lone one. */
  instance: string | undefined;
  /** Checks the signature of each JWT recorded (set by the service's `main.ts`); without one they stay `unchecked`. */
  verifier: JwtVerifier | undefined;
  readonly #pending = new Set<Promise<void>>();
  /** Recorded exchanges, oldest first: each one as it came (`raw`) until somebody reads it, then as shown. */
  readonly #events: Array<TraceEvent | Unread> = [];
  readonly #listeners = new Set<TraceListener>();
  readonly #capacity: number;
  #seq = 0;

  constructor(service: ServiceName, capacity = 2000) {
    this.service = service;
    this.#capacity = capacity;
  }

  /**
   * Records one exchange and returns it as shown. The lab's instruments never change what they
   * observe: whatever the exchange holds (malformed encodings, bodies nested thousands deep),
   * recording it never throws into the request it describes. A failure is one line in the
   * service's log, and the event is lost.
   */
  record(event: RawExchange): TraceEvent | undefined {
    return this.#guard(event, () => this.#show(this.#keep(event)));
  }

  /**
   * Records one exchange on a service's hot path. With nobody watching (no listener: the X-ray is
   * closed) only what the exchange is made from is kept, as references (`exchange` may be a
   * function that builds it: headers are copied and bodies turned into text only then);
   * shortening secrets, decoding and checking JWTs and finding its links wait until somebody reads
   * the trace (`since`), and most exchanges are never read. With a listener it is shown at once,
   * as `record` does.
   */
  note(exchange: RawExchange | (() => RawExchange)): void {
    this.#guard(exchange, () => (this.#listeners.size > 0 ? this.#show(this.#keep(exchange)) : this.#keep(exchange)));
  }

  #guard<T>(exchange: RawExchange | (() => RawExchange), recording: () => T): T | undefined {
    try {
      return recording();
    } catch (error) {
      const what = typeof exchange === 'function' ? 'an' : `${exchange.method} ${exchange.direction}`;
      console.error(`${this.service}: trace: could not record ${what} exchange (${error instanceof Error ? error.name : 'error'})`);
      return undefined;
    }
  }

  /** Keeps the exchange as it came, with what only its own request's context can tell (the service's links). */
  #keep(exchange: RawExchange | (() => RawExchange)): Unread {
    const serviceLinks = captureServiceLinks();
    const unread: Unread = { unread: true, seq: ++this.#seq, raw: exchange, fullView: this.fullView, serviceLinks };
    this.#events.push(unread);
    // `shift`, not `splice(0, n)`: V8 drops an array's first element in place, while a splice from
    // the front of a full store (2,000 events) cost about 8 µs per recorded exchange.
    while (this.#events.length > this.#capacity) this.#events.shift();
    return unread;
  }

  /** Turns a kept exchange into the event a person sees (secrets shortened), in place, and tells the listeners. */
  #show(unread: Unread): TraceEvent {
    const { seq, fullView: full } = unread;
    const raw = keptOf(typeof unread.raw === 'function' ? unread.raw() : unread.raw);
    // Decoded from the raw values, before they are shortened; the tokens themselves are not kept.
    const found = findJwts(raw).flatMap((jwt) => {
      const decoded = decodeFoundJwt(jwt);
      return decoded ? [{ decoded, token: jwt.token }] : [];
    });
    // Also from the raw values: what ties this exchange to the rest of its flow, as opaque keys.
    const links = findLinks(raw, unread.serviceLinks);
    const { setCookies: _setCookies, ...exchange } = raw;
    const cookies = viewCookies(raw, full);
    const params = viewParams(raw, full);
    const shown: TraceEvent = {
      ...exchange,
      id: randomUUID(),
      seq,
      service: this.service,
      ...(this.instance ? { instance: this.instance } : {}),
      fullView: full,
      url: full ? raw.url : redactUrl(raw.url),
      requestHeaders: pickHeaders(raw.requestHeaders, REQUEST_HEADERS, full),
      responseHeaders: pickHeaders(raw.responseHeaders, RESPONSE_HEADERS, full),
      requestBody: excerpt(raw.requestBody, full),
      responseBody: excerpt(raw.responseBody, full),
      ...(found.length > 0 ? { jwts: found.map(({ decoded }) => decoded) } : {}),
      ...(links.length > 0 ? { links } : {}),
      ...(cookies ? { cookies } : {}),
      ...(params ? { params } : {}),
    };
    const at = this.#events.indexOf(unread);
    if (at >= 0) this.#events[at] = shown;
    for (const listener of this.#listeners) listener(shown, 'recorded');
    if (found.length > 0 && this.verifier) this.#verify(shown, found, this.verifier);
    return shown;
  }

  /** Checks the event's JWTs after the fact (`record` stays synchronous), then tells the listeners. */
  #verify(event: TraceEvent, found: ReadonlyArray<{ decoded: DecodedJwt; token: string }>, verifier: JwtVerifier): void {
    const checked = Promise.all(
      found.map(async ({ decoded, token }) => {
        decoded.signature = await verifier(token).catch(() => 'unchecked' as const);
      }),
    ).then(() => {
      this.#pending.delete(checked);
      for (const listener of this.#listeners) listener(event, 'verified');
    });
    this.#pending.add(checked);
  }

  /** Resolves once every signature check started so far has finished. */
  async verified(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  /** Events after `seq` (exclusive), oldest first, shown (secrets shortened) as they are read. */
  since(seq = 0): TraceEvent[] {
    const events: TraceEvent[] = [];
    for (const entry of this.#events.filter((candidate) => candidate.seq > seq)) {
      if (!('unread' in entry)) {
        events.push(entry);
        continue;
      }
      const shown = this.#guard(entry.raw, () => this.#show(entry));
      if (shown) events.push(shown);
    }
    return events;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  clear(): void {
    this.#events.length = 0;
  }

  subscribe(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export function newCorrelationId(): string {
  return randomUUID().slice(0, 8);
}

/**
 * Only what will be shown: the headers a learner looks at, and bodies cut to a size far above
 * any token response (what is shown is cut shorter still).
 */
function keptOf(given: RawExchange): RawExchange {
  return {
    ...given,
    requestHeaders: onlyHeaders(given.requestHeaders, REQUEST_HEADERS),
    responseHeaders: onlyHeaders(given.responseHeaders, RESPONSE_HEADERS),
    requestBody: given.requestBody?.slice(0, KEPT_BODY_LIMIT),
    responseBody: given.responseBody?.slice(0, KEPT_BODY_LIMIT),
  };
}
