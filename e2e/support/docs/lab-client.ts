import { connect } from 'node:net';
import type { LabTopology } from '@lab/shared';

/**
 * The requests the docs' tables are checked with: an answer read whole, a request sent byte for
 * byte (for paths `fetch` would normalise), and the lab's control routes, with the run's key.
 */

const TIMEOUT_MS = 10_000;

/** One answer, read whole. */
export interface Answer {
  /** What was sent, for messages: `GET /bff/user without X-CSRF`. */
  readonly what: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body, when it is JSON. */
  readonly json: Record<string, unknown> | undefined;
}

export async function answerOf(what: string, response: Response): Promise<Answer> {
  const text = await response.text();
  return { what, status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A request that is not redirected, with a bound on its time. */
export async function call(what: string, url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  return answerOf(what, response);
}

/**
 * A request whose target and headers go out exactly as given (`/api/../notes`, `Host: [::1`),
 * which `fetch` would resolve or refuse before sending.
 */
export function rawCall(
  what: string,
  origin: string,
  options: { method?: string; target: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Answer> {
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const headers = {
    Host: new URL(origin).host,
    ...options.headers,
    ...(body.length > 0 ? { 'Content-Length': String(body.length) } : {}),
    Connection: 'close',
  };
  const head = `${options.method ?? 'GET'} ${options.target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return sendBytes(what, origin, Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/** Bytes that are not HTTP at all, or not quite (`GET / HTTP/1.1\r\nBad Header`), and the answer, read until the connection closes. */
export function sendBytes(what: string, origin: string, bytes: string | Buffer): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(what, Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** The first HTTP/1.1 response in `raw`: status, headers and body (de-chunked). */
function parseResponse(what: string, raw: Buffer): Answer {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`${what}: no HTTP answer (${raw.length} bytes)`);
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(split + 4);
  const length = headers.get('content-length');
  if (length !== null) body = body.subarray(0, Number(length));
  else if (headers.get('transfer-encoding') === 'chunked') body = dechunk(body);
  const text = body.toString('utf8');
  return { what, status: Number(statusLine.split(' ')[1]), headers, text, json: parseJson(text) };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (lineEnd < 0 || !(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The running lab, as the global set-up provides it. */
export interface LabAccess {
  readonly topology: LabTopology;
  readonly controlKey: string;
}

/** `GET /_lab/settings` of one service. */
export async function readSettings(lab: LabAccess, serviceUrl: string): Promise<Record<string, unknown>> {
  const answer = await call('GET /_lab/settings', `${serviceUrl}/_lab/settings`, { headers: { 'X-Lab-Key': lab.controlKey } });
  if (answer.status !== 200 || !answer.json) throw new Error(`GET ${serviceUrl}/_lab/settings answered ${answer.status}`);
  return answer.json;
}

/** `PUT /_lab/settings` of one service. */
export async function changeSettings(lab: LabAccess, serviceUrl: string, patch: Record<string, unknown>): Promise<void> {
  const answer = await call('PUT /_lab/settings', `${serviceUrl}/_lab/settings`, {
    method: 'PUT',
    headers: { 'X-Lab-Key': lab.controlKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(patch),
  });
  if (answer.status !== 200) throw new Error(`PUT ${serviceUrl}/_lab/settings ${JSON.stringify(patch)} answered ${answer.status}: ${answer.text}`);
}

/** Runs `action` with some settings of one service changed, and puts back what they were, whatever happens. */
export async function withSettings<T>(lab: LabAccess, serviceUrl: string, patch: Record<string, unknown>, action: () => Promise<T>): Promise<T> {
  const before = await readSettings(lab, serviceUrl);
  await changeSettings(lab, serviceUrl, patch);
  try {
    return await action();
  } finally {
    await changeSettings(lab, serviceUrl, Object.fromEntries(Object.keys(patch).map((name) => [name, before[name]])));
  }
}

/** The raw tokens the BFF holds for a signed-in user, through its lab-only breach route. Never printed. */
export async function tokensHeldFor(lab: LabAccess, sub: string): Promise<{ accessToken: string; idToken: string }> {
  const answer = await call('GET /_lab/session-store', `${lab.topology.bff.url}/_lab/session-store`, { headers: { 'X-Lab-Key': lab.controlKey } });
  const sessions = (answer.json?.sessions ?? []) as Array<{ sub?: string; tokens: { accessToken: string; idToken: string } }>;
  const held = sessions.findLast((session) => session.sub === sub);
  if (!held) throw new Error(`the BFF holds no tokens for ${sub}`);
  return held.tokens;
}
