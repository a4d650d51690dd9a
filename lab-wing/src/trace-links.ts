import { createHash, createHmac } from 'node:crypto';
import type { RawExchange } from '@lab/shared';
import { currentLinkFinder } from './request-context.ts';

/**
 * LAB ONLY: what ties the exchanges of one user's flow together, so that the X-ray can show a
 * learner their own session's exchanges and nothing of anyone else's.
 *
 * When an exchange is recorded, the random values it shares with the rest of its flow are turned
 * into opaque link keys: the `state` and the `code` (authorization request, redirects, callback,
 * token request), the interaction id (`/interaction/<uid>`, `/auth/<uid>`), the authorization
 * server's session cookie (its later `/session/end`), and the tokens themselves (token response,
 * refresh, revocation, `Authorization: Bearer` at the API). Two exchanges that share a key belong
 * to one flow. Only unguessable values are used: one who does not hold the value cannot make an
 * exchange share its key. Correlation ids are not used: any caller can send `X-Correlation-Id`.
 *
 * A key is a hash: the trace never keeps the value itself, and the value cannot be read back from
 * it. A service adds links only it can check with `runWithLinkFinder` (the BFF: its session id,
 * from the signed cookie, under a keyed hash).
 */
export type LinkKind = 'bff-session' | 'state' | 'code' | 'interaction' | 'authserver-session' | 'token';

/** What the service's finder says of an exchange, taken while its request runs; computed later. */
export type CapturedLinks = readonly string[] | (() => readonly string[]) | undefined;

/** Takes the service's link finder's answer for an exchange now (inside the request's context). Never throws. */
export function captureServiceLinks(): CapturedLinks {
  try {
    return currentLinkFinder()?.();
  } catch {
    return undefined;
  }
}

/** Shorter values could be shared by chance, or guessed (a weakened lab may send constants). */
const MIN_VALUE_LENGTH = 16;
/** Token responses are a few kilobytes; larger bodies carry nothing to link. */
const BODY_LIMIT = 16_384;
/** The authorization server's session cookie (oidc-provider's default name `_session`), in `Cookie` and in `Set-Cookie`. */
const AUTHSERVER_SESSION_IN_COOKIE = /(?:^|;)\s*_session=([^;]*)/;
const AUTHSERVER_SESSION_IN_SET_COOKIE = /(?:^|,)\s*_session=([^;,]*)/;
const TOKEN_FIELDS = ['access_token', 'refresh_token', 'id_token', 'token', 'id_token_hint'] as const;
const LINKED_JSON_FIELD = /"(?:state|code|access_token|refresh_token|id_token|token|id_token_hint)"\s*:/;
const INTERACTION_PATH = /\/(?:interaction|auth)\/([A-Za-z0-9_-]{16,128})(?=[/?#]|$)/;

export { runWithLinkFinder, type LinkFinder } from './request-context.ts';

/**
 * The link key of one value: a SHA-256 of kind and value, or an HMAC when the value is one
 * service's own (`secret`), 128 bits, base64url.
 */
export function linkKeyOf(kind: LinkKind, value: string, secret?: string | Buffer): string {
  const hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  return hash.update(`lab-trace-link\0${kind}\0${value}`).digest('base64url').slice(0, 22);
}

/**
 * Every link key of an exchange: the values it shares with its flow, and what the service adds
 * (`captured` by `captureServiceLinks` when the exchange was recorded; else asked now). Never throws.
 */
export function findLinks(exchange: RawExchange, captured: CapturedLinks = captureServiceLinks()): string[] {
  const keys = new Set<string>();
  const add = (kind: LinkKind, value: string | null | undefined) => {
    if (value && value.length >= MIN_VALUE_LENGTH) keys.add(linkKeyOf(kind, value));
  };
  try {
    for (const url of [exchange.url, headerOf(exchange.responseHeaders, 'location')]) {
      if (!url) continue;
      const query = queryOf(url);
      add('state', query.get('state'));
      add('code', query.get('code'));
      add('interaction', INTERACTION_PATH.exec(url.split(/[?#]/, 1)[0] ?? '')?.[1]);
    }
    add('authserver-session', cookieValue(headerOf(exchange.requestHeaders, 'cookie'), AUTHSERVER_SESSION_IN_COOKIE));
    add('authserver-session', cookieValue(headerOf(exchange.responseHeaders, 'set-cookie'), AUTHSERVER_SESSION_IN_SET_COOKIE));
    const authorization = /^(?:Bearer|DPoP)\s+(\S+)$/i.exec(headerOf(exchange.requestHeaders, 'authorization') ?? '');
    add('token', authorization?.[1]);
    for (const body of [exchange.requestBody, exchange.responseBody]) {
      const fields = fieldsOf(body);
      if (!fields) continue;
      add('state', fields.get('state'));
      add('code', fields.get('code'));
      for (const name of TOKEN_FIELDS) add('token', fields.get(name));
    }
  } catch {
    // A link is lost, never the exchange: the recorder must not fail on hostile input.
  }
  try {
    for (const key of (typeof captured === 'function' ? captured() : captured) ?? []) keys.add(key);
  } catch {
    // The same for a service's own finder.
  }
  return [...keys];
}

function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function queryOf(url: string): URLSearchParams {
  const start = url.indexOf('?');
  if (start < 0) return new URLSearchParams();
  const end = url.indexOf('#', start);
  return new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end));
}

function cookieValue(header: string | undefined, pattern: RegExp): string | undefined {
  const value = header ? pattern.exec(header)?.[1]?.trim() : undefined;
  return value?.startsWith('"') ? value.slice(1, -1) : value;
}

/** The top-level string fields of a JSON object or form body. */
function fieldsOf(body: string | undefined): Map<string, string> | undefined {
  if (!body || body.length > BODY_LIMIT) return undefined;
  const text = body.trimStart();
  if (text.startsWith('{')) {
    // Most JSON bodies (notes, claims) hold none of the fields: they are not parsed again.
    if (!LINKED_JSON_FIELD.test(text)) return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      return new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    } catch {
      return undefined;
    }
  }
  if (!text.includes('=') || /\s/.test(text)) return undefined;
  return new Map(new URLSearchParams(text));
}
