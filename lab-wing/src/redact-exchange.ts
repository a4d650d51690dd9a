import { parseSetCookie } from 'cookie';
import { isSecretName, redactTokens, shortenSecret, type CookieView, type ParamView, type RawExchange } from '@lab/shared';

/**
 * LAB ONLY: how the trace shows an exchange to a person. It keeps the headers a learner looks at
 * and shortens every secret in them, in URLs and in bodies (`eyJhbGciOi…(812 chars)`), unless the
 * instructor's full view is on.
 */

/** Headers a learner should look at; the rest is noise. */
export const REQUEST_HEADERS = ['authorization', 'cookie', 'content-type', 'origin', 'referer', 'x-csrf', 'sec-fetch-site', 'dpop'];
export const RESPONSE_HEADERS = [
  'location',
  'set-cookie',
  'content-type',
  'www-authenticate',
  'cache-control',
  'referrer-policy',
  'x-frame-options',
  'content-security-policy',
  'access-control-allow-origin',
];
const BODY_LIMIT = 4000;
/** The wanted headers, by lower-case name, as they came. */
export function onlyHeaders(headers: Readonly<Record<string, string>>, wanted: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (wanted.includes(lower)) kept[lower] = value;
  }
  return kept;
}

/** The wanted headers as shown: secrets shortened unless the full view is on. */
export function pickHeaders(headers: Readonly<Record<string, string>>, wanted: readonly string[], full: boolean): Record<string, string> {
  const picked = onlyHeaders(headers, wanted);
  if (!full) for (const [name, value] of Object.entries(picked)) picked[name] = redactHeader(name, value);
  return picked;
}

/** Shortens the secret part of a header, keeping what a learner needs (scheme, cookie attributes). */
export function redactHeader(name: string, value: string): string {
  if (name === 'authorization') {
    const [scheme, credentials = ''] = value.split(' ', 2);
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const [user = '', secret = ''] = decoded.split(':', 2);
      return `Basic base64(${decodeLeniently(user)}:${shortenSecret(decodeLeniently(secret), 4)})`;
    }
    return `${scheme} ${shortenSecret(credentials)}`;
  }
  if (name === 'cookie') {
    return value
      .split(/;\s*/)
      .map((pair) => redactCookiePair(pair))
      .join('; ');
  }
  if (name === 'set-cookie') {
    // Several Set-Cookie headers are joined with ", " by fetch; each keeps its attributes.
    return value
      .split(/,\s*(?=[^;=\s]+=)/)
      .map((cookie) => {
        const [pair = '', ...attributes] = cookie.split(/;\s*/);
        return [redactCookiePair(pair), ...attributes].join('; ');
      })
      .join(', ');
  }
  if (name === 'location') return redactUrl(value);
  return redactTokens(value);
}

function redactCookiePair(pair: string): string {
  const index = pair.indexOf('=');
  if (index < 0) return pair;
  const value = pair.slice(index + 1);
  return `${pair.slice(0, index)}=${value.length > 8 ? shortenSecret(value, 6) : value}`;
}

/** Shortens secret query parameters (`code`, tokens...) and any JWT in a URL. */
export function redactUrl(raw: string): string {
  const hashAt = raw.indexOf('#');
  const queryAt = raw.indexOf('?');
  if (queryAt < 0 && hashAt < 0) return redactTokens(raw);
  const redactParams = (part: string) =>
    part
      .split('&')
      .map((pair) => {
        const [name = '', value] = pair.split('=', 2);
        if (value === undefined) return pair;
        return isSecretName(decodeLeniently(name)) ? `${name}=${shortenSecret(decodeLeniently(value))}` : redactTokens(pair);
      })
      .join('&');
  const end = hashAt >= 0 ? hashAt : raw.length;
  const base = queryAt >= 0 && queryAt < end ? raw.slice(0, queryAt) : raw.slice(0, end);
  const query = queryAt >= 0 && queryAt < end ? `?${redactParams(raw.slice(queryAt + 1, end))}` : '';
  const hash = hashAt >= 0 ? `#${redactParams(raw.slice(hashAt + 1))}` : '';
  return `${base}${query}${hash}`;
}

/**
 * Percent-decoding for display only. The recorder runs on every request, hostile ones included,
 * and must never throw: a malformed sequence (`%zz`, `%E0%A4%A`) is shown as it came.
 */
function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Shortens secret fields of a JSON or form body and any JWT in it, then cuts it to a readable length. */
export function excerpt(body: string | undefined, full: boolean): string | undefined {
  if (body === undefined || body === '') return undefined;
  let text = body;
  if (!full) {
    try {
      text = JSON.stringify(redactJson(JSON.parse(body)));
    } catch {
      text = body.includes('=') && !body.includes(' ') ? redactUrl(`?${body}`).slice(1) : redactTokens(body);
    }
  }
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…(${text.length} chars)` : text;
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        // A cookie string (a script's `document.cookie`) keeps its cookie names, as the Cookie header does.
        typeof inner === 'string' && isSecretName(key)
          ? key.toLowerCase() === 'cookie'
            ? redactHeader('cookie', inner)
            : shortenSecret(inner)
          : redactJson(inner),
      ]),
    );
  }
  return typeof value === 'string' ? redactTokens(value) : value;
}

/** `SameSite` as browsers' developer tools write it. */
const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

/**
 * The cookies of an exchange, parsed once: the `Cookie` header's pairs, and each `Set-Cookie`
 * header by the `cookie` package's parser, its value as sent (not percent-decoded), its
 * attributes as a learner reads them.
 */
export function viewCookies(raw: RawExchange, full: boolean): { sent: CookieView[]; set: CookieView[] } | undefined {
  const show = (value: string) => (full || value.length <= 8 ? value : shortenSecret(value, 6));
  const sent: CookieView[] = [];
  const cookieHeader = raw.requestHeaders.cookie;
  if (cookieHeader) {
    for (const pair of cookieHeader.split(/;\s*/)) {
      const at = pair.indexOf('=');
      if (pair) sent.push({ name: at >= 0 ? pair.slice(0, at) : pair, value: show(at >= 0 ? pair.slice(at + 1) : ''), attributes: [], removed: false });
    }
  }
  const set: CookieView[] = [];
  for (const line of raw.setCookies ?? []) {
    const cookie = parseSetCookie(line, { decode: (value) => value });
    const { expires } = cookie;
    const attributes = [
      cookie.path !== undefined ? `Path=${cookie.path}` : undefined,
      cookie.domain !== undefined ? `Domain=${cookie.domain}` : undefined,
      expires ? `Expires=${expires.toUTCString()}` : undefined,
      cookie.maxAge !== undefined ? `Max-Age=${cookie.maxAge}` : undefined,
      cookie.secure ? 'Secure' : undefined,
      cookie.httpOnly ? 'HttpOnly' : undefined,
      typeof cookie.sameSite === 'string' ? `SameSite=${SAME_SITE[cookie.sameSite]}` : undefined,
    ].filter((attribute): attribute is string => attribute !== undefined);
    const removed = (cookie.maxAge !== undefined && cookie.maxAge <= 0) || (expires !== undefined && expires.getTime() <= 0);
    set.push({ name: cookie.name, value: show(cookie.value ?? ''), attributes, removed });
  }
  return sent.length > 0 || set.length > 0 ? { sent, set } : undefined;
}

/** The parameters of the URL and of its `Location`, decoded once (`URLSearchParams`); secret ones shortened unless the full view is on. */
export function viewParams(raw: RawExchange, full: boolean): { url: ParamView[]; location: ParamView[] } | undefined {
  const url = paramsOf(raw.url, full);
  const location = raw.responseHeaders.location ? paramsOf(raw.responseHeaders.location, full) : [];
  return url.length > 0 || location.length > 0 ? { url, location } : undefined;
}

function paramsOf(address: string, full: boolean): ParamView[] {
  const params: ParamView[] = [];
  const hashAt = address.indexOf('#');
  const queryAt = address.indexOf('?');
  const end = hashAt >= 0 ? hashAt : address.length;
  const add = (part: string, where: ParamView['where']) => {
    for (const [name, value] of new URLSearchParams(part)) {
      params.push({ name, value: full ? value : isSecretName(name) ? shortenSecret(value) : redactTokens(value), where });
    }
  };
  if (queryAt >= 0 && queryAt < end) add(address.slice(queryAt + 1, end), 'query');
  if (hashAt >= 0) add(address.slice(hashAt + 1), 'fragment');
  return params;
}
