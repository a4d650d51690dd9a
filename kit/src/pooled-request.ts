import { Agent, request, type Dispatcher } from 'undici';

/** One call through a `PooledRequest`: what the caller sends. */
export interface OutgoingCall {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * Milliseconds the callee may stay silent: until the answer's headers have arrived, and then
   * between two pieces of its body. A callee that hangs fails the call after this long.
   */
  readonly timeoutMs: number;
}

/** Its answer, read whole. */
export interface IncomingAnswer {
  readonly status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type PooledRequest = (url: URL, call: OutgoingCall) => Promise<IncomingAnswer>;

/**
 * Calls for a hot path: undici's `request` over a keep-alive pool instead of `fetch`. On Node 20
 * the WHATWG `fetch` layer costs several times the CPU of the HTTP exchange itself (measured in
 * docs/performance.md); the BFF's API proxy makes one such call per user request, so it uses this.
 * Rejects on a network failure, or when the callee is silent for `timeoutMs`: undici's own
 * `headersTimeout` and `bodyTimeout` (its coarse shared timers), not an `AbortSignal.timeout` per
 * call, which cost about a quarter of the client's CPU per call on Node 20 (docs/performance.md).
 */
export function createPooledRequest(dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 30_000 })): PooledRequest {
  return async function pooledRequest(url, call) {
    const response = await request(url, {
      method: call.method as Dispatcher.HttpMethod,
      headers: call.headers,
      body: call.body,
      dispatcher,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: Buffer.from(await response.body.arrayBuffer()) };
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
