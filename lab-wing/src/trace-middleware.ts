import type { Context, Next } from 'koa';
import { TRACE_HEADERS, XRAY_CALLER, type Party } from '@lab/shared';
import { newCorrelationId, runWithCorrelation, type TraceRecorder } from './trace.ts';

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
      // What the exchange is made from, as references: the event is built from them only when
      // somebody reads it (most exchanges are never read while nobody watches).
      const { method, href, status } = ctx;
      const durationMs = Math.round(performance.now() - startedAt);
      const requestHeaders = ctx.request.headers;
      // One copy of the response's headers (Koa's `ctx.response.get` makes another on each call).
      const responseHeaders: Record<string, string | string[] | number | undefined> = ctx.res.getHeaders();
      const requestBody = requestBodyOf(ctx);
      const requestType = requestHeaders['content-type'] ?? '';
      const responseBody = ctx.body;
      const responseType = String(responseHeaders['content-type'] ?? '');
      recorder.note(() => ({
        time: new Date(started).toISOString(),
        direction: 'inbound',
        channel: fromPeer ? 'back' : 'front',
        from: fromPeer ? (caller as Party) : 'user-agent',
        to: self,
        method,
        url: href,
        status,
        durationMs,
        requestHeaders: flatten(requestHeaders),
        responseHeaders: flatten(responseHeaders),
        setCookies: listOf(responseHeaders['set-cookie']),
        requestBody: describeBody(requestBody, requestType),
        responseBody: describeBody(responseBody, responseType),
        correlationId,
      }));
    }
  };
}

function requestBodyOf(ctx: Context): unknown {
  // oidc-provider parses its endpoints' bodies into ctx.oidc.body; Koa body parsers use ctx.request.body.
  const oidcBody = (ctx as Context & { oidc?: { body?: unknown } }).oidc?.body;
  return (ctx.request as { body?: unknown }).body ?? oidcBody;
}

export function flatten(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/** A body as text for the trace; pages and binary content are summarised, not copied. */
export function describeBody(body: unknown, type: string): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return type.includes('html') ? `(HTML page, ${body.length} chars)` : body;
  if (Buffer.isBuffer(body))
    return type.includes('json') || type.startsWith('text/plain') ? body.toString('utf8') : `(${type || 'binary'}, ${body.length} bytes)`;
  if (typeof (body as { pipe?: unknown }).pipe === 'function') return `(${type || 'stream'})`;
  if (typeof body === 'object' && Object.keys(body).length === 0) return undefined;
  try {
    return JSON.stringify(body);
  } catch {
    return '(unserialisable body)';
  }
}

/** A header Node keeps as a list (`Set-Cookie`), as one. */
function listOf(value: string | string[] | number | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [String(value)];
}
