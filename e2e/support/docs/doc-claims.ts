/**
 * What a cell of a doc's table claims, in the few forms the docs use: a status with its error code
 * (`401 not_authenticated`, `` `429` `temporarily_unavailable` ``), error codes in backticks, the
 * response headers it quotes (`Retry-After`, `Cache-Control: no-store`), and the members of a JSON
 * body (`{ "signedOut": true, "logoutUrl" }`).
 */

/**
 * The response headers a doc may quote. Anything else in backticks that looks like a header
 * (`X-CSRF: 1`, `X-Lab-Key`) is what the client sends, not a claim about the answer.
 */
const RESPONSE_HEADERS = [
  'Cache-Control',
  'Content-Type',
  'Location',
  'Referrer-Policy',
  'Retry-After',
  'Set-Cookie',
  'WWW-Authenticate',
  'X-Content-Type-Options',
] as const;

/** An error code as the lab writes them: lower case words joined by `_`. */
const ERROR_CODE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;

export interface HeaderClaim {
  readonly name: string;
  /** The value the doc quotes; for `Set-Cookie`, the cookie's name. Undefined: only that the header is there. */
  readonly value?: string;
}

export interface StatusClaim {
  readonly status: number;
  readonly code?: string;
}

export interface JsonClaim {
  /** The members the body has, all of them. */
  readonly members: readonly string[];
  /** The members whose value the doc writes out (`"signedOut": true`). */
  readonly values: Readonly<Record<string, unknown>>;
}

function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

/** The error codes in backticks: the whole of a `code` cell, e.g. `access_denied`, `invalid_grant`. */
export function errorCodesIn(text: string): string[] {
  return codeSpans(text).filter((span) => ERROR_CODE.test(span));
}

/** The status of a `status` cell, which holds nothing else. */
export function statusOf(text: string): number {
  if (!/^[1-5]\d\d$/.test(text)) throw new Error(`"${text}" is not a status`);
  return Number(text);
}

/**
 * Every status in running text, each with the error code right after it if there is one:
 * `502 resource_api_unavailable` (one code span or two), `200 { … }`, `302 to …`.
 */
export function statusesIn(text: string): StatusClaim[] {
  const plain = text.replace(/`([1-5]\d\d) ([a-z][a-z0-9_]*)`/g, '$1 `$2`').replace(/`([1-5]\d\d)`/g, '$1');
  const claims: StatusClaim[] = [];
  for (const match of plain.matchAll(/(?<![\w.,:/-])([1-5]\d\d)(?!\w|[.,:/-]\w)(?:\s+`([^`]+)`)?/g)) {
    const code = match[2] !== undefined && ERROR_CODE.test(match[2]) ? match[2] : undefined;
    claims.push(code === undefined ? { status: Number(match[1]) } : { status: Number(match[1]), code });
  }
  return claims;
}

/**
 * The response headers a cell quotes: `` `Retry-After` `` (present), `` `Retry-After: 5` ``
 * (that value), `` `Set-Cookie: bff_session` `` (that cookie), and the resource API's
 * "the challenge is `Bearer realm="resource-api"`" (the `WWW-Authenticate` value).
 */
export function headersIn(text: string): HeaderClaim[] {
  const claims: HeaderClaim[] = [];
  for (const span of codeSpans(text)) {
    const match = /^([A-Za-z-]+)(?::\s*(.+))?$/.exec(span);
    const name = RESPONSE_HEADERS.find((header) => header.toLowerCase() === match?.[1]?.toLowerCase());
    if (!name) continue;
    const value = name === 'Set-Cookie' ? match?.[2]?.split('=')[0] : match?.[2];
    claims.push(value === undefined ? { name } : { name, value });
  }
  for (const match of text.matchAll(/the challenge is `([^`]+)`/g)) claims.push({ name: 'WWW-Authenticate', value: match[1]! });
  return claims;
}

/** The JSON body a cell writes out in backticks, `{ "claims", "session" }`, if it writes one. */
export function jsonIn(text: string): JsonClaim | undefined {
  const span = codeSpans(text).find((candidate) => candidate.trim().startsWith('{'));
  if (!span) return undefined;
  const members: string[] = [];
  const values: Record<string, unknown> = {};
  for (const match of span.matchAll(/"([A-Za-z_]\w*)"(?:\s*:\s*(true|false|null|-?\d+|"[^"]*"))?/g)) {
    members.push(match[1]!);
    if (match[2] !== undefined) values[match[1]!] = JSON.parse(match[2]);
  }
  return { members, values };
}

/**
 * Every status written next to an error code in running text, in either order: `400
 * \`invalid_json\``, `` `not_found` 404 ``, `` `401 session_expired` ``.
 */
export function statusCodePairsIn(text: string): Array<Required<StatusClaim>> {
  const plain = text.replace(/`([1-5]\d\d) ([a-z][a-z0-9_]*)`/g, '$1 `$2`').replace(/`([1-5]\d\d)`/g, '$1');
  const pairs: Array<Required<StatusClaim>> = [];
  for (const match of plain.matchAll(/(?<![\w.,:/-])([1-5]\d\d)(?!\w|[.,:/-]\w)\s+`([^`]+)`/g)) {
    if (ERROR_CODE.test(match[2]!)) pairs.push({ status: Number(match[1]), code: match[2]! });
  }
  for (const match of plain.matchAll(/`([^`]+)`\s+\(?([1-5]\d\d)(?!\w|[.,:/-]\w)/g)) {
    if (ERROR_CODE.test(match[1]!)) pairs.push({ status: Number(match[2]), code: match[1]! });
  }
  return pairs;
}
