import type { DecodedJwt, JwtSignatureCheck } from '@lab/shared';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/**
 * JWTs found in an exchange, decoded for the X-ray: the header and the claims, never the token.
 * Decoding happens when the event is recorded, on the raw values (before the trace shortens them);
 * the signature is checked afterwards, by the recording service's verifier, when it has one.
 */

/** Checks a token's signature against the issuer's keys (see `createJwtVerifier`). */
export type JwtVerifier = (token: string) => Promise<JwtSignatureCheck>;

/** What of an exchange may carry a token, unshortened. */
export interface JwtSources {
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly requestBody?: string;
  readonly responseBody?: string;
}

export interface FoundJwt {
  readonly where: string;
  readonly token: string;
}

/** A compact JWS (header, payload, signature; an empty signature for `alg: none`). JWEs cannot be decoded here. */
const JWS_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const MAX_TOKENS = 10;

/** Every JWT-shaped string of an exchange, with the place it was found, each token once. */
export function findJwts(sources: JwtSources): FoundJwt[] {
  const found: FoundJwt[] = [];
  const add = (where: string, text: string | undefined) => {
    if (!text) return;
    for (const token of text.match(JWS_PATTERN) ?? []) {
      if (found.length < MAX_TOKENS && !found.some((known) => known.token === token)) found.push({ where, token });
    }
  };
  for (const [name, value] of namedParts('URL', sources.url)) add(name, value);
  for (const [header, value] of Object.entries(sources.requestHeaders)) {
    for (const [name, part] of namedHeaderParts(`request header: ${header.toLowerCase()}`, header.toLowerCase(), value)) add(name, part);
  }
  for (const [header, value] of Object.entries(sources.responseHeaders)) {
    for (const [name, part] of namedHeaderParts(`response header: ${header.toLowerCase()}`, header.toLowerCase(), value)) add(name, part);
  }
  for (const [name, value] of namedParts('request body', sources.requestBody)) add(name, value);
  for (const [name, value] of namedParts('response body', sources.responseBody)) add(name, value);
  return found;
}

/** Decodes a token found in an exchange; `undefined` when it is not a decodable JWS. */
export function decodeFoundJwt({ where, token }: FoundJwt): DecodedJwt | undefined {
  try {
    return { where, header: decodeProtectedHeader(token), payload: decodeJwt(token), signature: 'unchecked' };
  } catch {
    return undefined;
  }
}

function namedHeaderParts(prefix: string, header: string, value: string): Array<[string, string]> {
  if (header === 'location' || header === 'referer') return namedParts(prefix, value);
  if (header === 'cookie' || header === 'set-cookie') {
    return value.split(/;\s*|,\s*(?=[^;=\s]+=)/).map((pair) => [`${prefix} ${pair.split('=')[0] ?? ''}`.trim(), pair]);
  }
  return [[prefix, value]];
}

/** A body or URL split into named fields (JSON members, form or query parameters), else the whole text. */
function namedParts(prefix: string, text: string | undefined): Array<[string, string]> {
  if (!text) return [];
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parts: Array<[string, string]> = [];
      walkJson(JSON.parse(trimmed), '', (path, value) => parts.push([`${prefix}: ${path}`, value]));
      return parts;
    } catch {
      // not JSON: fall through
    }
  }
  if (/^[\w.~%+-]+=/.test(trimmed) || /[?#]/.test(trimmed)) {
    const parts: Array<[string, string]> = [];
    const queryAt = trimmed.search(/[?#]/);
    const params = queryAt >= 0 ? trimmed.slice(queryAt + 1) : trimmed;
    for (const segment of params.split(/[&#]/)) {
      const [name = '', value = ''] = segment.split('=', 2);
      parts.push([`${prefix}: ${safeDecode(name)}`, safeDecode(value)]);
    }
    return [...parts, [prefix, trimmed]];
  }
  return [[prefix, trimmed]];
}

function walkJson(value: unknown, path: string, visit: (path: string, value: string) => void): void {
  if (typeof value === 'string') visit(path || '(value)', value);
  else if (Array.isArray(value)) {
    for (const [index, inner] of value.entries()) walkJson(inner, `${path}[${index}]`, visit);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) walkJson(inner, path ? `${path}.${key}` : key, visit);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}
