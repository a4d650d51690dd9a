import type { Party, TraceRecorder } from './trace.ts';
import { TRACE_HEADERS, currentCorrelationId, newCorrelationId } from './trace.ts';

/**
 * A `fetch` that records each back-channel call it makes and tells the receiver who calls and
 * for which user action (`X-Lab-Caller`, `X-Correlation-Id`: lab instrumentation, not OAuth).
 * Give it to openid-client (`customFetch`) and jose (`createRemoteJWKSet` `[customFetch]`).
 */
export function createTracedFetch(recorder: TraceRecorder, self: Party, partyOf: (url: URL) => Party): typeof fetch {
  return async function tracedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const correlationId = currentCorrelationId() ?? newCorrelationId();
    request.headers.set(TRACE_HEADERS.caller, self);
    request.headers.set(TRACE_HEADERS.correlation, correlationId);
    const requestBody = request.body ? await request.clone().text() : undefined;
    const started = Date.now();
    const base = {
      time: new Date(started).toISOString(),
      direction: 'outbound' as const,
      channel: 'back' as const,
      from: self,
      to: partyOf(new URL(request.url)),
      method: request.method,
      url: request.url,
      requestHeaders: Object.fromEntries(request.headers),
      requestBody,
      correlationId,
    };
    let response: Response;
    try {
      response = await fetch(request);
    } catch (error) {
      recorder.record({ ...base, durationMs: Date.now() - started, responseHeaders: {}, error: describeError(error) });
      throw error;
    }
    const responseBody = await response.clone().text().catch(() => undefined);
    recorder.record({
      ...base,
      status: response.status,
      durationMs: Date.now() - started,
      responseHeaders: Object.fromEntries(response.headers),
      responseBody,
    });
    return response;
  };
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
