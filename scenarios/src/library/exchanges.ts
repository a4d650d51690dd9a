import type { Party, TraceEvent } from '@lab/shared';

export interface ExchangeQuery {
  readonly to?: Party;
  readonly from?: Party;
  readonly method?: string;
  /** The URL's path, exactly (`/token`) or as a pattern. */
  readonly path?: string | RegExp;
  readonly channel?: 'front' | 'back';
}

function matches(event: TraceEvent, query: ExchangeQuery): boolean {
  const path = new URL(event.url).pathname;
  return (
    (query.to === undefined || event.to === query.to) &&
    (query.from === undefined || event.from === query.from) &&
    (query.method === undefined || event.method === query.method) &&
    (query.channel === undefined || event.channel === query.channel) &&
    (query.path === undefined || (typeof query.path === 'string' ? path === query.path : query.path.test(path)))
  );
}

/** The first recorded exchange that matches, or undefined. */
export function findExchange(events: readonly TraceEvent[], query: ExchangeQuery): TraceEvent | undefined {
  return events.find((event) => matches(event, query));
}

export function findExchanges(events: readonly TraceEvent[], query: ExchangeQuery): TraceEvent[] {
  return events.filter((event) => matches(event, query));
}

/** Query parameters of a URL (a Location header, a callback URL) as a plain object. */
export function queryOf(url: string | undefined): Record<string, string> {
  if (!url) return {};
  return Object.fromEntries(new URL(url, 'http://placeholder').searchParams);
}

/** Fields of a form-encoded or JSON body as a plain object. */
export function fieldsOf(body: string | undefined): Record<string, unknown> {
  if (!body) return {};
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return Object.fromEntries(new URLSearchParams(body));
  }
}

export const JWT_SHAPE = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;
