import { redactTokens, type LabTopology } from '@lab/shared';
import type { HostileCase } from './hostile-case.ts';
import type { RawResponse } from './raw-http.ts';

export type ProblemKind =
  | 'hang'
  | 'no answer'
  | '5xx'
  | 'error body not {error, message}'
  | 'upgrade accepted'
  | 'open redirect'
  | 'stack trace in the answer'
  | 'sign-in failed';

export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
}

/** A 4xx written by Node's HTTP parser itself (`400 Bad Request`, `431`), before any service code runs. */
export function isParserRefusal(response: RawResponse): boolean {
  return response.status !== undefined && response.status >= 400 && response.headers['content-type'] === undefined && response.body.length === 0;
}

/** `/bff/*` and `/api/*`: on the app's origin, these are the BFF's answers (through Vite's proxy). */
function isBffPath(target: string): boolean {
  return target.startsWith('/bff/') || target.startsWith('/api/');
}

/**
 * What must hold for every answer: one came, in time; below 500; a BFF or API client error is
 * JSON `{ error, message }`; no stack trace in it; an upgrade to the BFF's paths is refused;
 * a redirect stays within the lab's origins (and `/bff/login` only ever sends the browser to the
 * authorization server).
 */
export function judge(hostile: HostileCase, response: RawResponse, topology: LabTopology, timeoutMs: number): Problem[] {
  const problems: Problem[] = [];
  const { status } = response;
  if (response.outcome === 'timeout') {
    problems.push({
      kind: 'hang',
      detail: status === undefined ? `no answer within ${timeoutMs} ms` : `${status} arrived, its body did not end within ${timeoutMs} ms`,
    });
    return problems;
  }
  if (response.outcome === 'dropped') {
    // Node closes CONNECT on servers without a 'connect' listener (RFC 9110 §9.3.6: a proxy's method).
    if (response.errorCode === 'ECONNREFUSED') problems.push({ kind: 'no answer', detail: 'connection refused: the service is not running (did it crash?)' });
    else if (hostile.request.method !== 'CONNECT')
      problems.push({ kind: 'no answer', detail: `connection closed without a status line${response.errorCode ? ` (${response.errorCode})` : ''}` });
    return problems;
  }
  const body = response.body.toString('utf8');
  if (status === undefined || status >= 500) problems.push({ kind: '5xx', detail: `${status ?? 'no status'} ${summarise(body)}` });
  if (/\n\s+at\s.+:\d+:\d+\)?/.test(body) || body.includes('node:internal')) problems.push({ kind: 'stack trace in the answer', detail: summarise(body) });

  const requestTarget = hostile.request.target;
  const jsonExpected =
    hostile.category !== 'framing' &&
    hostile.category !== 'websocket' &&
    hostile.request.method.toUpperCase() !== 'HEAD' &&
    (hostile.target === 'bff' || hostile.target === 'resource-api' || (hostile.target === 'spa' && isBffPath(requestTarget)));
  if (jsonExpected && status !== undefined && status >= 400 && status < 500 && !isParserRefusal(response) && !isErrorJson(body)) {
    problems.push({
      kind: 'error body not {error, message}',
      detail: `${status} ${response.headers['content-type'] ?? 'no content type'}: ${summarise(body)}`,
    });
  }

  if (status === 101 && (hostile.target !== 'spa' || isBffPath(requestTarget))) {
    problems.push({ kind: 'upgrade accepted', detail: `101 to ${requestTarget}: the BFF and the services speak no WebSocket` });
  }

  const location = response.headers.location;
  if (status !== undefined && status >= 300 && status < 400 && location !== undefined && hostile.target !== 'authserver') {
    const origin = topology[hostile.target].url;
    const allowed =
      hostile.category === 'return-to' && requestTarget.startsWith('/bff/login') ? [topology.authserver.url] : labOrigins(topology, hostile.target);
    if (!redirectStaysWithin(location, origin, allowed)) problems.push({ kind: 'open redirect', detail: `${status} Location: ${location}` });
  }
  return problems;
}

/** The answer of a whole sign-in with a hostile `returnTo`: the callback must land on a path of the app. */
export function judgeSignIn(
  answer: { step: 'login' | 'callback'; status: number; location?: string | undefined; body: string },
  topology: LabTopology,
): Problem[] {
  const problems: Problem[] = [];
  if (answer.status >= 500) problems.push({ kind: '5xx', detail: `${answer.step}: ${answer.status} ${summarise(answer.body)}` });
  if (answer.step === 'login') {
    // /bff/login refused the returnTo: a client error, in the BFF's JSON.
    if (answer.status >= 300 && answer.status < 400)
      problems.push({ kind: 'open redirect', detail: `/bff/login answered ${answer.status} Location: ${answer.location}` });
    else if (answer.status < 500 && !isErrorJson(answer.body))
      problems.push({ kind: 'error body not {error, message}', detail: `login: ${answer.status} ${summarise(answer.body)}` });
    return problems;
  }
  if (answer.status >= 400 && answer.status < 500) problems.push({ kind: 'sign-in failed', detail: `callback: ${answer.status} ${summarise(answer.body)}` });
  if (answer.status >= 300 && answer.status < 400) {
    const location = answer.location ?? '';
    if (!isSameOriginPath(location, topology.spa.url)) problems.push({ kind: 'open redirect', detail: `callback: ${answer.status} Location: ${location}` });
  }
  return problems;
}

/**
 * A `Location` a browser resolves to the app itself: a path starting with one `/` (after the
 * URL parser drops tabs and newlines, RFC 3986 §4.2 network-path references `//host` and the
 * backslash forms browsers treat alike are out), on the app's origin.
 */
export function isSameOriginPath(location: string, appOrigin: string): boolean {
  const cleaned = location.replace(/[\t\n\r]/g, '');
  if (!/^\/(?![/\\])/.test(cleaned)) return false;
  try {
    return new URL(cleaned, appOrigin).origin === new URL(appOrigin).origin;
  } catch {
    return false;
  }
}

/** Resolved as a browser would (`//host`, `/\host` and tab-split forms included), the redirect lands on an allowed origin. */
function redirectStaysWithin(location: string, base: string, allowedOrigins: readonly string[]): boolean {
  const cleaned = location.replace(/[\t\n\r]/g, '').trim();
  try {
    const resolved = new URL(cleaned, base);
    return allowedOrigins.some((origin) => new URL(origin).origin === resolved.origin);
  } catch {
    return false;
  }
}

function labOrigins(topology: LabTopology, target: HostileCase['target']): string[] {
  if (target === 'resource-api') return [topology['resource-api'].url];
  return [topology.spa.url, topology.bff.url, topology.authserver.url];
}

function isErrorJson(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { error?: unknown }).error === 'string' &&
      typeof (parsed as { message?: unknown }).message === 'string'
    );
  } catch {
    return false;
  }
}

function summarise(body: string): string {
  return redactTokens(body.replace(/\s+/g, ' ').trim()).slice(0, 160);
}
