import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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
 * A callee that stayed silent for the call's `timeoutMs`. Named `TimeoutError` as the error of an
 * `AbortSignal.timeout` is, so that a caller tells "no answer in time" from "no answer at all"
 * the same way whichever client made the call.
 */
export class CalleeSilentError extends Error {
  override readonly name = 'TimeoutError';
  readonly code: 'HEADERS_TIMEOUT' | 'BODY_TIMEOUT';

  constructor(code: 'HEADERS_TIMEOUT' | 'BODY_TIMEOUT', url: URL, timeoutMs: number) {
    super(`${url.host} sent ${code === 'HEADERS_TIMEOUT' ? 'no answer' : 'nothing more of its answer'} for ${timeoutMs} ms`);
    this.code = code;
  }
}

/**
 * How long an idle connection is kept for the next call: under the 5 s after which a Node server
 * closes an idle keep-alive connection (`server.keepAliveTimeout`), so that a call is not sent on
 * a connection the callee is closing. Node's agent also honours a shorter `Keep-Alive: timeout=`.
 */
const IDLE_CONNECTION_MS = 4_000;

/**
 * Calls for a service's back channel: Node's own HTTP client over keep-alive connections, one
 * agent per scheme. Not `fetch`: on Node 20 its WHATWG layer costs several times the CPU of the
 * HTTP exchange itself (docs/performance.md), and it and the npm `undici` each bring an HTTP
 * parser compiled to WebAssembly, 15 to 20 MB of memory apiece, where `node:http` uses the one
 * already in the binary. Rejects on a network failure (the system's `code`: `ECONNREFUSED`…), or
 * with `CalleeSilentError` when the callee is silent for `timeoutMs` (the socket's own idle timer,
 * not a timer per call).
 */
export function createPooledRequest(
  agents: { readonly http: HttpAgent; readonly https: HttpsAgent } = {
    http: new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
    https: new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
  },
): PooledRequest {
  return function pooledRequest(url, call) {
    return new Promise<IncomingAnswer>((resolve, reject) => {
      // A body goes with its length (not chunked), as `fetch` sends a string body.
      const headers =
        call.body === undefined || hasHeader(call.headers, 'content-length')
          ? call.headers
          : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) };
      const secure = url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const request: ClientRequest = send(url, { method: call.method, headers, agent: secure ? agents.https : agents.http });
      let answered = false;
      request.setTimeout(call.timeoutMs, () => request.destroy(new CalleeSilentError(answered ? 'BODY_TIMEOUT' : 'HEADERS_TIMEOUT', url, call.timeoutMs)));
      request.once('error', reject);
      request.once('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: flattenHeaders(response.headers),
            body: Buffer.concat(chunks),
          });
        });
        // An answer cut short (the connection closed, or the timeout above destroyed the request):
        // the request's own `error` says why; this one is the fallback. A settled promise ignores it.
        response.once('error', reject);
        response.once('close', () => {
          if (!response.complete) reject(Object.assign(new Error(`${url.host} closed the connection in the middle of its answer`), { code: 'ECONNRESET' }));
        });
      });
      request.end(call.body);
    });
  };
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((given) => given.toLowerCase() === name);
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
