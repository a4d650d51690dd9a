import type { LogLine } from './server-edge.ts';

/** Codes of connections that broke on the client's side: nothing for the operator to fix. */
const CONNECTION_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_HTTP_REQUEST_TIMEOUT']);

/** What Koa passes with its `error` event; only the method and path are read, never the query. */
export interface FailedRequest {
  readonly method?: string;
  readonly path?: string;
}

export interface ErrorEmitter {
  on(event: 'error', listener: (error: unknown, ctx?: FailedRequest) => void): unknown;
}

/**
 * Koa's default `error` listener prints the whole stack of every error that escapes the app or
 * breaks its answer, a client that left mid-answer (EPIPE) included. One line instead: the code for
 * the client's doing (`bff: client error EPIPE on POST /api/notes`); the message and the first
 * stack frame for anything else, enough to find it. What Koa keeps silent (404, `expose`) stays
 * silent. Attach it before `app.callback()`: Koa adds its own listener only when there is none.
 */
export function logAppErrorsOnOneLine(service: string, app: ErrorEmitter, log: LogLine): void {
  app.on('error', (error, ctx) => {
    const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
    if (status === 404 || expose === true) return;
    const where = ctx?.method ? ` on ${ctx.method} ${ctx.path ?? ''}` : '';
    const code = clientErrorCodeOf(error);
    log(code ? `${service}: client error ${code}${where}` : `${service}: error${where}: ${describeUnexpected(error)}`);
  });
}

/** The code of an error the client caused, or `undefined` for one that may be ours. */
export function clientErrorCodeOf(error: unknown): string | undefined {
  if (error instanceof URIError) return 'URIError'; // a malformed percent-encoding reached decodeURIComponent
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('HPE_'))) return code;
  if (typeof status === 'number' && status >= 400 && status < 500) return typeof code === 'string' ? code : String(status);
  return undefined;
}

/** `TypeError: x is undefined (at handler (file.ts:12:5))`: one line that still points at the code. */
export function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split('\n')[0] ?? '';
  const firstLine = `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  const frame = error.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  return frame ? `${firstLine} (${frame.trim()})` : firstLine;
}
