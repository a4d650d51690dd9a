import type { Context, Next } from 'koa';

/**
 * An error that becomes a JSON response: `{ "error": "<stable_code>", "message": "<for humans>" }`.
 * Each service's `errors.ts` defines its own subclasses; one middleware writes them all.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra JSON members (e.g. `error_description` when relaying an OAuth error). */
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  [member: string]: unknown;
}

/**
 * The one error handler of a service. Client mistakes keep their code and message; anything
 * unexpected becomes a 500 `internal_error` without internals (no stack trace, no message),
 * and is reported through `onUnexpected` for the operator.
 */
export function handleErrors(onUnexpected: (error: unknown, ctx: Context) => void) {
  return async function errorHandler(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', `Nothing at ${ctx.method} ${ctx.path}.`);
      }
    } catch (error) {
      const httpError = toHttpError(error);
      if (httpError.status >= 500 && !(error instanceof HttpError)) onUnexpected(error, ctx);
      ctx.status = httpError.status;
      ctx.set(httpError.headers);
      ctx.set('Cache-Control', 'no-store');
      const body: ErrorBody = { ...httpError.extra, error: httpError.code, message: httpError.message };
      ctx.body = body;
    }
  };
}

/** Any error as an `HttpError`: its own status for a client's mistake, else 500 `internal_error` without internals. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // Errors thrown by Koa and its middleware (body parsers, ctx.throw) carry a 4xx `status`: the
  // client's mistake. Their message is shown only when marked `expose`; body parsers do not mark
  // theirs, so a broken JSON body gets a plain sentence instead.
  const candidate = error as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown; code?: unknown };
  // zlib's errors while a body parser inflates a body (gzip and deflate: Z_DATA_ERROR…; brotli:
  // ERR__ERROR_FORMAT_…): the client said `Content-Encoding: gzip` (or deflate, br) for a body that is not.
  if (typeof candidate?.code === 'string' && /^(Z_[A-Z_]+|ERR__ERROR_[A-Z0-9_]+|ERR_BROTLI_[A-Z_]+)$/.test(candidate.code)) {
    return new HttpError(400, 'invalid_content_encoding', 'The request body does not match its Content-Encoding.');
  }
  const status = candidate?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (error instanceof SyntaxError || candidate.type === 'entity.parse.failed') {
      return new HttpError(400, 'invalid_json', 'The request body is not valid JSON (an object or an array).');
    }
    const code = CLIENT_ERROR_CODES[status] ?? 'bad_request';
    const message = candidate.expose === true ? String(candidate.message ?? 'Bad request.') : `The request was refused (${status}).`;
    return new HttpError(status, code, message);
  }
  return new HttpError(500, 'internal_error', 'Something went wrong on our side; the details are in the service log.');
}

const CLIENT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};
