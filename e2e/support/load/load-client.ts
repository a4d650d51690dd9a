import { Agent, request } from 'undici';

/** What one call answered: a status and its parsed body, or no answer at all. */
export type CallOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown; readonly location?: string; readonly setCookies: readonly string[] }
  | { readonly kind: 'network'; readonly error: string };

export interface CallInit {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A call with no headers after this long counts as a hang (a network error), not a slow answer. */
const HEADERS_TIMEOUT_MS = 30_000;
const BODY_TIMEOUT_MS = 30_000;

/**
 * The load's HTTP client: undici with keep-alive connections and no limit on connections per
 * origin, so that a session's parallel calls really arrive at the server together (a browser
 * opens up to six per host; the point here is the server's behaviour under many at once).
 * It never throws: a refused connection, a reset or a timeout is an outcome to count.
 */
export class LoadClient {
  readonly #agent = new Agent({
    // Below Node's server default (5 s): a socket is never reused just as the server closes it.
    keepAliveTimeout: 2_000,
    headersTimeout: HEADERS_TIMEOUT_MS,
    bodyTimeout: BODY_TIMEOUT_MS,
    connect: { timeout: 10_000 },
  });

  async send(url: string, init: CallInit = {}): Promise<CallOutcome> {
    try {
      const response = await request(url, {
        dispatcher: this.#agent,
        method: init.method ?? 'GET',
        headers: init.headers,
        body: init.body,
      });
      const text = await response.body.text();
      const location = response.headers.location;
      return {
        kind: 'answer',
        status: response.statusCode,
        body: parseJson(text),
        ...(typeof location === 'string' ? { location } : {}),
        setCookies: asList(response.headers['set-cookie']),
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { kind: 'network', error: typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown' };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { text: text.slice(0, 200) };
  }
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
