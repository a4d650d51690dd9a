import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '@lab/shared';

/**
 * Small helpers for the SPA server's own JSON routes, which are Connect middlewares inside Vite
 * (no Koa here). Same wire format as every other service of the lab:
 * `{ "error": "<stable_code>", "message": "<for humans>" }`, never cached.
 */

/** The request's path without the query string. */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

/** Writes an `HttpError` as the lab's JSON error; anything else becomes a 500 without internals. */
export function sendError(res: ServerResponse, error: unknown): void {
  const httpError =
    error instanceof HttpError ? error : new HttpError(500, 'internal_error', 'Something went wrong on our side; the details are in the service log.');
  for (const [name, value] of Object.entries(httpError.headers)) res.setHeader(name, value);
  sendJson(res, httpError.status, { ...httpError.extra, error: httpError.code, message: httpError.message });
}

/** Reads a small JSON body; an empty body is `{}`. Throws an `HttpError` for a body too large or not JSON. */
export async function readJsonBody(req: IncomingMessage, limitBytes = 8 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    received += buffer.length;
    if (received > limitBytes) throw new HttpError(413, 'payload_too_large', `The request body is larger than ${limitBytes} bytes.`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON (an object or an array).');
  }
}
