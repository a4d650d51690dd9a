import type { LabTopology } from '@lab/shared';
import type { RawRequest } from './raw-http.ts';
import type { Route } from './surfaces.ts';

/** A request being built: path and query apart, headers in order, so a generator can change any part. */
export interface RequestParts {
  method: string;
  path: string;
  query: string;
  headers: Array<[string, string]>;
  body?: string;
}

/** A made-up client secret: the suite never holds the BFF's real one. */
const BASIC_WRONG_SECRET = `Basic ${Buffer.from('bff:not-the-client-secret').toString('base64')}`;

/**
 * The request a well-behaved client sends to `route`: signed in (`signedIn`) with the credentials
 * the route needs, or with none. Hostile generators start here and change one or two things, so
 * that the hostile part reaches the code behind routing, CSRF and authentication checks.
 */
export function wellFormedRequest(route: Route, signedIn: boolean, topology: LabTopology): RequestParts {
  const headers: Array<[string, string]> = [['Accept', route.path.startsWith('/interaction') || route.path === '/auth' ? 'text/html' : 'application/json']];
  switch (route.auth) {
    case 'session':
      // X-CSRF is sent anyway: without it the CSRF check answers first, and nothing behind it is tried.
      if (signedIn) headers.push(['Cookie', '{{session}}']);
      headers.push(['X-CSRF', '1']);
      break;
    case 'bearer':
      if (signedIn) headers.push(['Authorization', 'Bearer {{bearer}}']);
      break;
    case 'interaction':
      if (signedIn) headers.push(['Cookie', '{{interactionCookies}}']);
      break;
    case 'basic':
      headers.push(['Authorization', BASIC_WRONG_SECRET]);
      break;
    case 'lab-key':
      headers.push(['X-Lab-Key', signedIn ? '{{labKey}}' : 'not-the-key']);
      break;
    case 'none':
      if (signedIn && route.path === '/auth') headers.push(['Cookie', '{{asSession}}']);
      break;
  }
  if (route.method === 'OPTIONS') {
    headers.push(['Origin', topology.spa.url], ['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'authorization, content-type']);
  }
  const parts: RequestParts = {
    method: route.method,
    path: route.path,
    query: (route.query ?? '').replaceAll('{{redirectUri}}', encodeURIComponent(`${topology.spa.url}/bff/callback`)),
    headers,
  };
  if (route.body) {
    headers.push(['Content-Type', route.body.type]);
    parts.body = route.body.text;
  }
  return parts;
}

/** Sets a header (replacing every earlier one of that name, case-insensitively). */
export function setHeader(parts: RequestParts, name: string, value: string): RequestParts {
  parts.headers = parts.headers.filter(([existing]) => existing.toLowerCase() !== name.toLowerCase());
  parts.headers.push([name, value]);
  return parts;
}

export function removeHeader(parts: RequestParts, name: string): RequestParts {
  parts.headers = parts.headers.filter(([existing]) => existing.toLowerCase() !== name.toLowerCase());
  return parts;
}

export function headerOf(parts: RequestParts, name: string): string | undefined {
  return parts.headers.find(([existing]) => existing.toLowerCase() === name.toLowerCase())?.[1];
}

/** Adds `addition` to the query (`a=1&b=2` style), keeping what is there. */
export function addToQuery(query: string, addition: string): string {
  return query === '' ? addition : `${query}&${addition}`;
}

export function toRawRequest(parts: RequestParts, extra: Partial<RawRequest> = {}): RawRequest {
  return {
    method: parts.method,
    target: parts.query === '' ? parts.path : `${parts.path}?${parts.query}`,
    headers: parts.headers,
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    ...extra,
  };
}

/** `text` repeated to `length` characters. */
export function filled(text: string, length: number): string {
  return text.repeat(Math.ceil(length / text.length)).slice(0, length);
}
