import { createPooledRequest, type IncomingAnswer, type PooledRequest } from '@lab/kit';
import { TRACE_HEADERS, type Party, type RawExchange } from '@lab/shared';
import { currentCorrelationId, newCorrelationId, type TraceRecorder } from './trace.ts';

/**
 * A `fetch` that records each back-channel call it makes and tells the receiver who calls and
 * for which user action (`X-Lab-Caller`, `X-Correlation-Id`: lab instrumentation, not OAuth).
 * Give it to openid-client (`customFetch`) and jose (`createRemoteJWKSet` `[customFetch]`).
 */
export function createTracedFetch(recorder: TraceRecorder, self: Party, partyOf: (url: URL) => Party): typeof fetch {
  return async function tracedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const { url, method, headers, body, requestBody } = await describeRequest(input, init);
    const correlationId = currentCorrelationId() ?? newCorrelationId();
    headers.set(TRACE_HEADERS.caller, self);
    headers.set(TRACE_HEADERS.correlation, correlationId);
    const traced = startOutbound(recorder, {
      from: self,
      to: partyOf(url),
      method,
      url: url.href,
      requestHeaders: Object.fromEntries(headers),
      requestBody,
      correlationId,
    });
    let response: Response;
    let bytes: ArrayBuffer;
    try {
      response = await fetch(url, { ...init, method, headers, body });
      // Read once, for the caller and the trace alike (a clone would tee the stream for nothing).
      bytes = await response.arrayBuffer();
    } catch (error) {
      traced.failed(error);
      throw error;
    }
    traced.answered(
      response.status,
      Object.fromEntries(response.headers),
      bytes.byteLength > 0 ? new TextDecoder().decode(bytes) : undefined,
      response.headers.getSetCookie(),
    );
    const nullBody = [101, 204, 205, 304].includes(response.status);
    return new Response(nullBody ? null : bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * The request as the caller gave it. openid-client and the BFF pass a URL and a string or form
 * body; anything else (a `Request`, a stream) goes through `Request` to be read the standard way.
 */
async function describeRequest(input: string | URL | Request, init: RequestInit | undefined) {
  const given = init?.body;
  if (!(input instanceof Request) && (given === undefined || given === null || typeof given === 'string' || given instanceof URLSearchParams)) {
    const body = given instanceof URLSearchParams ? given.toString() : (given ?? undefined);
    const headers = new Headers(init?.headers);
    if (given instanceof URLSearchParams && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return { url: new URL(input), method: (init?.method ?? 'GET').toUpperCase(), headers, body, requestBody: body };
  }
  const request = new Request(input, init);
  const requestBody = request.body ? await request.clone().text() : undefined;
  return { url: new URL(request.url), method: request.method, headers: new Headers(request.headers), body: requestBody, requestBody };
}

/** One back-channel exchange, from now: noted in the trace once it is answered, or once it failed. */
function startOutbound(
  recorder: TraceRecorder,
  exchange: Pick<RawExchange, 'from' | 'to' | 'method' | 'url' | 'requestHeaders' | 'requestBody' | 'correlationId'>,
) {
  const started = Date.now();
  // How long it took, on real time: the lab's time may stand still (a held clock) or jump meanwhile.
  const startedAt = performance.now();
  const took = () => Math.round(performance.now() - startedAt);
  // Built when somebody reads the event, as the inbound ones (trace-middleware.ts): the time stamp
  // (the lab clock's `Date`, several times slower than the native one) and the answer's text cost
  // nothing on the hot path while nobody watches.
  const base = () => ({ ...exchange, time: new Date(started).toISOString(), direction: 'outbound' as const, channel: 'back' as const });
  return {
    /** `responseBody` may be a function that turns the answer into text: called when the event is read. */
    answered(
      status: number,
      responseHeaders: Record<string, string>,
      responseBody: string | undefined | (() => string | undefined),
      setCookies?: string[],
    ): void {
      const durationMs = took();
      recorder.note(() => ({
        ...base(),
        status,
        durationMs,
        responseHeaders,
        responseBody: typeof responseBody === 'function' ? responseBody() : responseBody,
        ...(setCookies?.length ? { setCookies } : {}),
      }));
    },
    failed(error: unknown): void {
      const durationMs = took();
      const reason = describeError(error);
      recorder.note(() => ({ ...base(), durationMs, responseHeaders: {}, error: reason }));
    },
  };
}

/** A failed call as the trace shows it: the system's or the client's code (`ECONNREFUSED`, `HEADERS_TIMEOUT`), else the message. */
function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = (error as { code?: unknown })?.code;
  return cause?.code ?? (typeof code === 'string' ? code : undefined) ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The service's pooled calls (`createPooledRequest`), recorded like `createTracedFetch`: what
 * the BFF's API proxy sends, as the trace shows it.
 */
export function createTracedRequest(
  recorder: TraceRecorder,
  self: Party,
  partyOf: (url: URL) => Party,
  inner: PooledRequest = createPooledRequest(),
): PooledRequest {
  return async function tracedRequest(url, call) {
    const correlationId = currentCorrelationId() ?? newCorrelationId();
    const headers = { ...call.headers, [TRACE_HEADERS.caller]: self, [TRACE_HEADERS.correlation]: correlationId };
    const traced = startOutbound(recorder, {
      from: self,
      to: partyOf(url),
      method: call.method,
      url: url.href,
      requestHeaders: headers,
      requestBody: call.body,
      correlationId,
    });
    let answer: IncomingAnswer;
    try {
      answer = await inner(url, { ...call, headers });
    } catch (error) {
      traced.failed(error);
      throw error;
    }
    traced.answered(answer.status, answer.headers, () => (answer.body.length > 0 ? answer.body.toString('utf8') : undefined));
    return answer;
  };
}
