import net from 'node:net';

/**
 * One HTTP/1.1 request, as bytes on a fresh connection. `fetch` refuses what this suite must send
 * (a malformed request target, an odd method, a header that is not valid UTF-8, two Content-Lengths),
 * and `node:http` normalises some of it; a socket sends exactly what is written here.
 */
export interface RawRequest {
  readonly method: string;
  /** The request target exactly as sent (RFC 9112 §3.2): not parsed, not normalised, not encoded. */
  readonly target: string;
  /** Sent in this order, after `Host` unless a `Host` is among them (RFC 9112 §3.2: Host is required). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer | string | RepeatedText;
  /** Leave out the `Host` header, to see how a server treats a request without one. */
  readonly omitHost?: boolean;
  /** Leave out `Content-Length`, e.g. when the headers frame the body with `Transfer-Encoding` themselves. */
  readonly omitContentLength?: boolean;
  /** The whole request as these bytes instead (for framing errors no well-formed request line can carry). */
  readonly raw?: Buffer | string;
}

/** A big body described, not held: each text repeated so many times, one after the other (built when sent). */
export interface RepeatedText {
  readonly repeated: ReadonlyArray<readonly [text: string, times: number]>;
}

export function expandBody(body: Buffer | string | RepeatedText): Buffer {
  if (typeof body === 'string' || Buffer.isBuffer(body)) return toBytes(body);
  return Buffer.from(body.repeated.map(([text, times]) => text.repeat(times)).join(''), 'latin1');
}

export type RawOutcome =
  /** A status line and headers arrived, and the body (if any) ended. */
  | 'answered'
  /** No complete answer within the time limit: a hang. */
  | 'timeout'
  /** The server closed (or reset) the connection without a status line. */
  | 'dropped';

export interface RawResponse {
  readonly outcome: RawOutcome;
  readonly status?: number;
  /** Lower-case names; repeated headers joined with `, ` (Set-Cookie kept apart in `setCookies`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly setCookies: readonly string[];
  /** The first 64 KB of the body (enough to judge it, not to hold a streamed answer). */
  readonly body: Buffer;
  readonly elapsedMs: number;
  /** The socket error, when there was one (ECONNRESET, EPIPE…). */
  readonly errorCode?: string;
}

const BODY_KEPT = 64 * 1024;

/** Strings are sent byte for byte as latin1: generators spell raw bytes as `\xNN` characters. */
export function toBytes(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
}

/** UTF-8 text written as latin1 characters, so that `toBytes` sends its UTF-8 bytes. */
export function utf8AsLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The exact bytes `sendRaw` writes for a request to `host:port`. */
export function serialiseRequest(request: RawRequest, authority: string): Buffer {
  if (request.raw !== undefined) return toBytes(request.raw);
  const body = request.body === undefined ? undefined : expandBody(request.body);
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  if (!request.omitHost && !names.has('host')) lines.push(`Host: ${authority}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (!names.has('connection')) lines.push('Connection: close');
  if (body !== undefined && !request.omitContentLength && !names.has('content-length') && !names.has('transfer-encoding')) {
    lines.push(`Content-Length: ${body.length}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

/**
 * Sends one request on a new connection and reads the answer, within `timeoutMs` from the first
 * byte written to the last byte of the body. A server that answers early (413 before the body is
 * read) and closes still counts as answered: what arrived before the reset is kept.
 */
export function sendRaw(host: string, port: number, bytes: Buffer, options: { timeoutMs: number; method: string }): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const reader = new ResponseReader(options.method);
    let settled = false;
    let errorCode: string | undefined;

    const finish = (outcome?: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const head = reader.head;
      resolve({
        outcome: outcome ?? (head ? 'answered' : 'dropped'),
        status: head?.status,
        headers: head?.headers ?? {},
        setCookies: head?.setCookies ?? [],
        body: reader.body(),
        elapsedMs: Math.round(performance.now() - started),
        ...(errorCode ? { errorCode } : {}),
      });
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);

    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.write(bytes, () => undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (reader.complete) finish('answered');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      errorCode = error.code ?? error.message;
      // A reset after the head: the answer is what arrived (e.g. 413, then the server closed).
      finish(reader.head ? 'answered' : 'dropped');
    });
    // The end of a body read until close, or a server that gave up (then whatever arrived is judged).
    socket.on('end', () => finish());
    socket.on('close', () => finish());
  });
}

interface ResponseHead {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly setCookies: string[];
}

/** An incremental HTTP/1.1 response reader: head, then a body framed by length, chunks or close. */
class ResponseReader {
  readonly #method: string;
  #buffer = Buffer.alloc(0);
  #bodyStart = -1;
  #overflow = 0;
  head: ResponseHead | undefined;
  complete = false;

  constructor(method: string) {
    this.#method = method.toUpperCase();
  }

  push(chunk: Buffer): void {
    // Keep what is needed to judge the answer; a body (a streamed one, a big one) is not kept whole.
    if (this.#buffer.length < BODY_KEPT * 2) this.#buffer = Buffer.concat([this.#buffer, chunk]);
    else this.#overflow += chunk.length;
    this.#parse();
  }

  body(): Buffer {
    if (this.#bodyStart < 0) return Buffer.alloc(0);
    const raw = this.#buffer.subarray(this.#bodyStart);
    return (this.head?.headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')
      ? dechunk(raw).data.subarray(0, BODY_KEPT)
      : raw.subarray(0, BODY_KEPT);
  }

  #parse(): void {
    while (!this.head) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.#buffer.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
      const headers: Record<string, string> = {};
      const setCookies: string[] = [];
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'set-cookie') setCookies.push(value);
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      this.#buffer = this.#buffer.subarray(end + 4);
      // 1xx interim answers (100 Continue, 103 Early Hints) are followed by the real one; 101 is final.
      if (status >= 100 && status < 200 && status !== 101) continue;
      this.head = { status, headers, setCookies };
      this.#bodyStart = 0;
    }
    this.#checkComplete();
  }

  #checkComplete(): void {
    const head = this.head!;
    const { headers, status } = head;
    if (status === 101 || status === 204 || status === 304 || this.#method === 'HEAD' || (headers['content-type'] ?? '').startsWith('text/event-stream')) {
      // No body follows (or a stream that never ends): the head is the answer.
      this.complete = true;
      return;
    }
    const received = this.#buffer.length - this.#bodyStart + this.#overflow;
    if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
      this.complete = dechunk(this.#buffer.subarray(this.#bodyStart)).ended || this.#overflow > 0;
      return;
    }
    const length = headers['content-length'];
    if (length !== undefined && /^\d+$/.test(length)) {
      this.complete = received >= Number(length);
      return;
    }
    // Neither length nor chunks: the body ends when the server closes the connection.
  }
}

/** A chunked body's data, and whether its last (zero-length) chunk arrived (RFC 9112 §7.1). */
function dechunk(raw: Buffer): { data: Buffer; ended: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) return { data: Buffer.concat(parts), ended: false };
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) return { data: Buffer.concat(parts), ended: false };
    if (size === 0) return { data: Buffer.concat(parts), ended: true };
    const start = lineEnd + 2;
    if (raw.length < start + size + 2) {
      parts.push(raw.subarray(start));
      return { data: Buffer.concat(parts), ended: false };
    }
    parts.push(raw.subarray(start, start + size));
    offset = start + size + 2;
  }
}
