import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The edge of a service's HTTP server: requests that never reach the app because Node cannot
 * parse them, or because they ask for a tunnel. Each gets a plain HTTP answer in the lab's JSON
 * error format and one log line with its code, never a hang or a stack trace.
 */
export type LogLine = (line: string) => void;

/** How long a refused connection is read from after its answer, at most. */
const LINGER_MS = 2_000;

/** The answer Node's own `clientError` handler picks per parser error. */
const PARSER_ERROR_ANSWERS: Readonly<Record<string, readonly [number, string, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request_header_fields_too_large', 'The request headers are too large.'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', 'payload_too_large', 'The chunk extensions are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.'],
};

/**
 * A request Node cannot parse (bad method, bad header, a `Content-Length` that lied and left bytes
 * behind) never reaches the app: Node emits `clientError`. Answer as Node would (400, 431, 408),
 * with a JSON body and one log line, e.g. `bff: client error HPE_INVALID_METHOD from 127.0.0.1`.
 */
export function answerMalformedRequests(service: string, server: Server, log: LogLine): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.destroyed || socket.writableEnded) return; // already answered: the parser fails again on later bytes
    const code = error.code ?? error.name;
    log(`${service}: client error ${code} from ${(socket as { remoteAddress?: string }).remoteAddress ?? 'an unknown address'}`);
    // Like Node: answer only when no response has started on this connection (it would be corrupted).
    if (code === 'ECONNRESET' || !socket.writable || responseStarted(socket)) {
      socket.destroy();
      return;
    }
    const [status, reason, errorCode, message] = PARSER_ERROR_ANSWERS[code] ?? [
      400,
      'Bad Request',
      'bad_request',
      `The request is not valid HTTP/1.1 (${code}).`,
    ];
    answerAndClose(socket, rawJsonAnswer(status, reason, { error: errorCode, message }));
  });
}

/**
 * `CONNECT host:port` asks for a tunnel; Node drops the connection without a word when nothing
 * listens for it. Answer 405 instead: these services are no proxies.
 */
export function refuseTunnels(server: Server): void {
  server.on('connect', (_request, socket: Duplex) => {
    const body = { error: 'method_not_allowed', message: 'This server is not a proxy: CONNECT is not allowed.' };
    answerAndClose(socket, rawJsonAnswer(405, 'Method Not Allowed', body));
  });
}

/** A whole HTTP/1.1 response, for a socket that no `ServerResponse` owns (`clientError`, `upgrade`, `connect`). */
export function rawJsonAnswer(status: number, reason: string, body: { error: string; message: string }): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
    `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${json}`
  );
}

/**
 * Writes the answer, half-closes, and reads and discards what the client still sends until it
 * closes too (or `lingerMs` passes). Closing at once with unread bytes would make the kernel send
 * a reset that can erase the answer before the client reads it (RFC 9112 §9.6, "TCP reset problem").
 */
export function answerAndClose(socket: Duplex, answer: string, lingerMs = LINGER_MS): void {
  socket.on('error', () => undefined); // a client gone already: nothing left to tell it
  socket.end(answer);
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), lingerMs);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}

/** Node keeps the response in progress on the socket; its own `clientError` handler checks it too. */
function responseStarted(socket: Duplex): boolean {
  return (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
}
