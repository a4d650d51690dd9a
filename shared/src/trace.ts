import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ServiceName } from './topology.ts';
import { isSecretName, redactTokens, shortenSecret } from './redact.ts';
import { decodeFoundJwt, findJwts, type DecodedJwt, type JwtVerifier } from './trace-jwts.ts';
import { captureServiceLinks, findLinks, type CapturedLinks } from './trace-links.ts';

/**
 * The lab's trace: every HTTP exchange a service serves or makes, in one shape, so that the
 * scenarios can narrate what the browser cannot see and the X-ray can draw it live.
 * Secrets are shortened when the event is recorded, unless the instructor's full view is on.
 */
export type Party = 'user-agent' | 'spa' | 'bff' | 'authserver' | 'resource-api' | 'attacker';

export interface TraceEvent {
  /** Unique id of the event. */
  readonly id: string;
  /** Position in the recording service's buffer (ascending). */
  readonly seq: number;
  /** ISO time the request arrived or left. */
  readonly time: string;
  /** The service that recorded the event. */
  readonly service: ServiceName;
  /** `inbound`: a request the service served; `outbound`: one it made. */
  readonly direction: 'inbound' | 'outbound';
  /** `front`: through the browser; `back`: server to server, never seen by the browser. */
  readonly channel: 'front' | 'back';
  readonly from: Party;
  readonly to: Party;
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly requestBody?: string;
  readonly responseBody?: string;
  /** Ties together the events caused by one user action (an inbound request and its back-channel calls). */
  readonly correlationId: string;
  /** Network failure of an outbound call (no response). */
  readonly error?: string;
  /** True when secrets were recorded in full (instructor's full view): a real system never shows this. */
  readonly fullView: boolean;
  /**
   * The JWTs of the exchange, decoded from the raw values when the event was recorded (header and
   * claims only, never the token). Their `signature` changes from `unchecked` once the service's
   * verifier has checked them.
   */
  readonly jwts?: readonly DecodedJwt[];
  /**
   * LAB ONLY: opaque keys (hashes) of the random values this exchange shares with the rest of its
   * flow (`state`, code, interaction id, session cookies, tokens), found in the raw exchange when
   * it is recorded. The X-ray groups exchanges that share one, to show a learner their own
   * session's flow and nothing of another's (see `trace-links.ts`).
   */
  readonly links?: readonly string[];
}

/** An exchange as a service records it, before anything is shortened. */
export type RawExchange = Omit<TraceEvent, 'id' | 'seq' | 'service' | 'fullView' | 'jwts' | 'links'>;

/** A recorded exchange nobody has read yet, kept as it came. */
interface Unread {
  readonly unread: true;
  readonly seq: number;
  readonly raw: RawExchange;
  readonly fullView: boolean;
  readonly serviceLinks: CapturedLinks;
}

/** Headers a learner should look at; the rest is noise. */
const REQUEST_HEADERS = ['authorization', 'cookie', 'content-type', 'origin', 'referer', 'x-csrf', 'sec-fetch-site', 'dpop'];
const RESPONSE_HEADERS = [
  'location',
  'set-cookie',
  'content-type',
  'www-authenticate',
  'cache-control',
  'referrer-policy',
  'x-frame-options',
  'content-security-policy',
  'access-control-allow-origin',
];
const BODY_LIMIT = 4000;
/** What an exchange nobody has read yet keeps of each body. */
const KEPT_BODY_LIMIT = 16_384;

/** Headers the lab's own services add to back-channel calls so the receiver can trace who called. */
export const TRACE_HEADERS = { correlation: 'x-correlation-id', caller: 'x-lab-caller' } as const;

/** `X-Lab-Caller` of the X-ray's own key fetches (`GET /jwks`), which the trace leaves out: they are part of no flow. */
export const XRAY_CALLER = 'x-ray';

const context = new AsyncLocalStorage<{ correlationId: string }>();

export function currentCorrelationId(): string | undefined {
  return context.getStore()?.correlationId;
}

export function runWithCorrelation<T>(correlationId: string, fn: () => T): T {
  return context.run({ correlationId }, fn);
}

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
   * closed) only the exchange as it came is kept; shortening secrets, decoding and checking JWTs
   * and finding its links wait until somebody reads the trace (`since`), and most exchanges are
   * never read. With a listener it is shown at once, as `record` does.
   */
  note(event: RawExchange): void {
    this.#guard(event, () => (this.#listeners.size > 0 ? this.#show(this.#keep(event)) : this.#keep(event)));
  }

  #guard<T>(event: RawExchange, recording: () => T): T | undefined {
    try {
      return recording();
    } catch (error) {
      console.error(`${this.service}: trace: could not record ${event.method} ${event.direction} exchange (${error instanceof Error ? error.name : 'error'})`);
      return undefined;
    }
  }

  /** Keeps the exchange as it came, with what only its own request's context can tell (the service's links). */
  #keep(given: RawExchange): Unread {
    const serviceLinks = captureServiceLinks(given);
    // Only what will be shown is kept: the headers a learner looks at, and bodies cut to a size
    // far above any token response (what is shown is cut shorter still).
    const raw: RawExchange = {
      ...given,
      requestHeaders: onlyHeaders(given.requestHeaders, REQUEST_HEADERS),
      responseHeaders: onlyHeaders(given.responseHeaders, RESPONSE_HEADERS),
      requestBody: given.requestBody?.slice(0, KEPT_BODY_LIMIT),
      responseBody: given.responseBody?.slice(0, KEPT_BODY_LIMIT),
    };
    const unread: Unread = { unread: true, seq: ++this.#seq, raw, fullView: this.fullView, serviceLinks };
    this.#events.push(unread);
    if (this.#events.length > this.#capacity) this.#events.splice(0, this.#events.length - this.#capacity);
    return unread;
  }

  /** Turns a kept exchange into the event a person sees (secrets shortened), in place, and tells the listeners. */
  #show(unread: Unread): TraceEvent {
    const { raw, seq, fullView: full } = unread;
    // Decoded from the raw values, before they are shortened; the tokens themselves are not kept.
    const found = findJwts(raw).flatMap((jwt) => {
      const decoded = decodeFoundJwt(jwt);
      return decoded ? [{ decoded, token: jwt.token }] : [];
    });
    // Also from the raw values: what ties this exchange to the rest of its flow, as opaque keys.
    const links = findLinks(raw, unread.serviceLinks);
    const shown: TraceEvent = {
      ...raw,
      id: randomUUID(),
      seq,
      service: this.service,
      fullView: full,
      url: full ? raw.url : redactUrl(raw.url),
      requestHeaders: pickHeaders(raw.requestHeaders, REQUEST_HEADERS, full),
      responseHeaders: pickHeaders(raw.responseHeaders, RESPONSE_HEADERS, full),
      requestBody: excerpt(raw.requestBody, full),
      responseBody: excerpt(raw.responseBody, full),
      ...(found.length > 0 ? { jwts: found.map(({ decoded }) => decoded) } : {}),
      ...(links.length > 0 ? { links } : {}),
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

/** The wanted headers, by lower-case name, as they came. */
function onlyHeaders(headers: Readonly<Record<string, string>>, wanted: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (wanted.includes(lower)) kept[lower] = value;
  }
  return kept;
}

/** The wanted headers as shown: secrets shortened unless the full view is on. */
function pickHeaders(headers: Readonly<Record<string, string>>, wanted: readonly string[], full: boolean): Record<string, string> {
  const picked = onlyHeaders(headers, wanted);
  if (!full) for (const [name, value] of Object.entries(picked)) picked[name] = redactHeader(name, value);
  return picked;
}

/** Shortens the secret part of a header, keeping what a learner needs (scheme, cookie attributes). */
export function redactHeader(name: string, value: string): string {
  if (name === 'authorization') {
    const [scheme, credentials = ''] = value.split(' ', 2);
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const [user = '', secret = ''] = decoded.split(':', 2);
      return `Basic base64(${decodeLeniently(user)}:${shortenSecret(decodeLeniently(secret), 4)})`;
    }
    return `${scheme} ${shortenSecret(credentials)}`;
  }
  if (name === 'cookie') {
    return value
      .split(/;\s*/)
      .map((pair) => redactCookiePair(pair))
      .join('; ');
  }
  if (name === 'set-cookie') {
    // Several Set-Cookie headers are joined with ", " by fetch; each keeps its attributes.
    return value
      .split(/,\s*(?=[^;=\s]+=)/)
      .map((cookie) => {
        const [pair = '', ...attributes] = cookie.split(/;\s*/);
        return [redactCookiePair(pair), ...attributes].join('; ');
      })
      .join(', ');
  }
  if (name === 'location') return redactUrl(value);
  return redactTokens(value);
}

function redactCookiePair(pair: string): string {
  const index = pair.indexOf('=');
  if (index < 0) return pair;
  const value = pair.slice(index + 1);
  return `${pair.slice(0, index)}=${value.length > 8 ? shortenSecret(value, 6) : value}`;
}

/** Shortens secret query parameters (`code`, tokens...) and any JWT in a URL. */
export function redactUrl(raw: string): string {
  const hashAt = raw.indexOf('#');
  const queryAt = raw.indexOf('?');
  if (queryAt < 0 && hashAt < 0) return redactTokens(raw);
  const redactParams = (part: string) =>
    part
      .split('&')
      .map((pair) => {
        const [name = '', value] = pair.split('=', 2);
        if (value === undefined) return pair;
        return isSecretName(decodeLeniently(name)) ? `${name}=${shortenSecret(decodeLeniently(value))}` : redactTokens(pair);
      })
      .join('&');
  const end = hashAt >= 0 ? hashAt : raw.length;
  const base = queryAt >= 0 && queryAt < end ? raw.slice(0, queryAt) : raw.slice(0, end);
  const query = queryAt >= 0 && queryAt < end ? `?${redactParams(raw.slice(queryAt + 1, end))}` : '';
  const hash = hashAt >= 0 ? `#${redactParams(raw.slice(hashAt + 1))}` : '';
  return `${base}${query}${hash}`;
}

/**
 * Percent-decoding for display only. The recorder runs on every request, hostile ones included,
 * and must never throw: a malformed sequence (`%zz`, `%E0%A4%A`) is shown as it came.
 */
function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Shortens secret fields of a JSON or form body and any JWT in it, then cuts it to a readable length. */
function excerpt(body: string | undefined, full: boolean): string | undefined {
  if (body === undefined || body === '') return undefined;
  let text = body;
  if (!full) {
    try {
      text = JSON.stringify(redactJson(JSON.parse(body)));
    } catch {
      text = body.includes('=') && !body.includes(' ') ? redactUrl(`?${body}`).slice(1) : redactTokens(body);
    }
  }
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…(${text.length} chars)` : text;
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        // A cookie string (a script's `document.cookie`) keeps its cookie names, as the Cookie header does.
        typeof inner === 'string' && isSecretName(key)
          ? key.toLowerCase() === 'cookie'
            ? redactHeader('cookie', inner)
            : shortenSecret(inner)
          : redactJson(inner),
      ]),
    );
  }
  return typeof value === 'string' ? redactTokens(value) : value;
}

export function newCorrelationId(): string {
  return randomUUID().slice(0, 8);
}
