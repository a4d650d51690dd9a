import type { Context, Next } from 'koa';
import { HttpError } from './http-errors.ts';

/**
 * 400 `invalid_host` for a Host header no URL can hold (`[::1`), and
 * 400 `invalid_url_encoding` for a request whose path or query holds a malformed percent-encoding
 * (`%zz`, a lone `%`, a cut UTF-8 sequence such as `%E0%A4%A`), before any route runs.
 *
 * Koa and its routers decode lazily and differently (`ctx.query` tolerates what
 * `decodeURIComponent` throws on), so such a request could pass one layer and break the next after
 * the action already ran. Refusing it at the door keeps "a client's mistake is a 4xx, answered
 * before anything happens" true for every route. RFC 3986 §2.1: `%` must be followed by two hex
 * digits; WHATWG URL: the decoded bytes must be UTF-8.
 */
export function rejectMalformedUrl() {
  return async function rejectMalformedUrlMiddleware(ctx: Context, next: Next): Promise<void> {
    const refusal = findMalformedRequest(ctx);
    if (refusal) throw refusal;
    await next();
  };
}

/** The error for a request whose Host or URL encoding is malformed, or undefined when both are sound. */
export function findMalformedRequest(ctx: Pick<Context, 'path' | 'querystring' | 'get'>): HttpError | undefined {
  if (!isValidHost(ctx.get('host'))) {
    return new HttpError(400, 'invalid_host', 'The Host header is not a valid host name or address (with an optional port).');
  }
  if (!isWellEncoded(ctx.path) || !isWellEncoded(ctx.querystring)) {
    return new HttpError(400, 'invalid_url_encoding', 'The URL holds a malformed percent-encoding (a "%" must start a valid UTF-8 byte sequence such as %2F).');
  }
  return undefined;
}

/**
 * Whether a Host header can name this server: empty (HTTP/1.0) or what a URL's authority accepts.
 * Frameworks build URLs from it (oidc-provider its issuer-relative links), and `[::1` makes them throw.
 */
export function isValidHost(host: string): boolean {
  if (host === '') return true;
  // A DNS name, an IPv4 address or an IPv6 literal, and a port (RFC 9110 §7.2): nothing else,
  // so that a Host echoed into a page or a header (`"`, `<`, `'`) cannot break out of it.
  if (!/^[A-Za-z0-9._\-:[\]]+$/.test(host)) return false;
  try {
    return new URL(`http://${host}`).host !== '';
  } catch {
    return false;
  }
}

/** Whether `decodeURIComponent` accepts the text; most URLs hold no `%` and are not decoded at all. */
export function isWellEncoded(text: string): boolean {
  if (!text.includes('%')) return true;
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
