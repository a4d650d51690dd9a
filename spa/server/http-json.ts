import type { IncomingMessage, ServerResponse } from 'node:http';

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
