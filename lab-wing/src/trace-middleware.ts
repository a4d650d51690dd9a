import type { Context, Next } from 'koa';
import { TRACE_HEADERS, XRAY_CALLER, type Party, type RawExchange } from '@lab/shared';
import { REQUEST_HEADERS, RESPONSE_HEADERS } from './redact-exchange.ts';
import { KEPT_BODY_LIMIT, newCorrelationId, runWithCorrelation, type TraceRecorder } from './trace.ts';

const PARTIES: ReadonlySet<string> = new Set<Party>(['user-agent', 'spa', 'bff', 'authserver', 'resource-api', 'attacker']);

/**
 * Records every request a service serves (except health checks and the lab's own control routes)
 * and makes its correlation id available to the back-channel calls it causes.
 * Install it outermost, so it sees the final status and body, errors included.
 */
export function traceRequests(recorder: TraceRecorder, self: Party) {
  return async function traceMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.path === '/healthz' || ctx.path === '/favicon.ico' || ctx.path.startsWith('/_lab/')) return next();
    // The X-ray's own key fetches (to show "signature verified") are no exchange of the flow it shows.
    if (ctx.method === 'GET' && ctx.path === '/jwks' && ctx.get(TRACE_HEADERS.caller) === XRAY_CALLER) return next();
    const caller = ctx.get(TRACE_HEADERS.caller);
    const fromPeer = PARTIES.has(caller);
    const correlationId = (fromPeer && ctx.get(TRACE_HEADERS.correlation)) || newCorrelationId();
    const started = Date.now();
    // How long it took, on real time: the lab's time may stand still (a held clock) or jump meanwhile.
    const startedAt = performance.now();
    try {
      await runWithCorrelation(correlationId, next);
    } finally {
      // The headers the trace shows, taken now (`REQUEST_HEADERS`, `RESPONSE_HEADERS`, one lookup
      // each), not the request's and the response's whole header sets: a kept exchange lives until
      // 2,000 more have been recorded, under load longer than the young generation, and what it
      // holds on to is copied by the garbage collector. The bodies are kept as they are (the proxy's
      // answer is the buffer its upstream call kept already) and turned into text, like the time
      // stamp (the lab clock's `Date` is several times slower than the native one), only when
      // somebody reads the event: nobody watching, no body is captured.
      const durationMs = Math.round(performance.now() - startedAt);
      const exchange = captureInbound(ctx, recorder, { self, caller, fromPeer, correlationId, durationMs });
      if (exchange) {
        const { requestBody, requestType, responseBody, responseType, ...taken } = exchange;
        recorder.note(() => ({
          ...taken,
          time: new Date(started).toISOString(),
          requestBody: describeBody(requestBody, requestType),
          responseBody: describeBody(responseBody, responseType),
        }));
      }
    }
  };
}

/** A served exchange until somebody reads it: the shown headers, and the bodies as they came with their types. */
type KeptInbound = Omit<RawExchange, 'time' | 'requestBody' | 'responseBody'> & {
  readonly requestBody: unknown;
  readonly requestType: string;
  readonly responseBody: unknown;
  readonly responseType: string;
};

/** The served exchange as the trace keeps it (see above); never throws into the request it describes. */
function captureInbound(
  ctx: Context,
  recorder: TraceRecorder,
  { self, caller, fromPeer, correlationId, durationMs }: { self: Party; caller: string; fromPeer: boolean; correlationId: string; durationMs: number },
): KeptInbound | undefined {
  try {
    return {
      direction: 'inbound',
      channel: fromPeer ? 'back' : 'front',
      from: fromPeer ? (caller as Party) : 'user-agent',
      to: self,
      method: ctx.method,
      url: ctx.href,
      status: ctx.status,
      durationMs,
      requestHeaders: takeHeaders((name) => ctx.request.headers[name], REQUEST_HEADERS),
      responseHeaders: takeHeaders((name) => ctx.res.getHeader(name), RESPONSE_HEADERS),
      setCookies: listOf(ctx.res.getHeader('set-cookie')),
      requestBody: requestBodyOf(ctx),
      requestType: ctx.get('Content-Type'),
      responseBody: ctx.body,
      responseType: String(ctx.res.getHeader('content-type') ?? ''),
      correlationId,
    };
  } catch (error) {
    // The event is lost, with one line in the log; the request goes on as if nobody watched.
    recorder.failedToRecord(`${ctx.method} inbound`, error);
    return undefined;
  }
}

function requestBodyOf(ctx: Context): unknown {
  // oidc-provider parses its endpoints' bodies into ctx.oidc.body; Koa body parsers use ctx.request.body.
  const oidcBody = (ctx as Context & { oidc?: { body?: unknown } }).oidc?.body;
  return (ctx.request as { body?: unknown }).body ?? oidcBody;
}

/** The `wanted` headers that are present, by lower-case name; a repeated header joined with `, `. */
export function takeHeaders(headerOf: (name: string) => string | string[] | number | undefined, wanted: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of wanted) {
    const value = headerOf(name);
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return picked;
}

/**
 * A body as text for the trace, at most `KEPT_BODY_LIMIT` characters (far above any token
 * response); pages and binary content are summarised, not copied.
 */
export function describeBody(body: unknown, type: string): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return type.includes('html') ? `(HTML page, ${body.length} chars)` : body.slice(0, KEPT_BODY_LIMIT);
  if (Buffer.isBuffer(body))
    return type.includes('json') || type.startsWith('text/plain')
      ? body.toString('utf8', 0, Math.min(body.length, KEPT_BODY_LIMIT))
      : `(${type || 'binary'}, ${body.length} bytes)`;
  if (typeof (body as { pipe?: unknown }).pipe === 'function') return `(${type || 'stream'})`;
  if (typeof body === 'object' && Object.keys(body).length === 0) return undefined;
  try {
    return JSON.stringify(body)?.slice(0, KEPT_BODY_LIMIT);
  } catch {
    return '(unserialisable body)';
  }
}

/** A header Node keeps as a list (`Set-Cookie`), as one. */
function listOf(value: string | string[] | number | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [String(value)];
}
