import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleErrors } from '@lab/kit';
import { drainRequestBody } from '../../src/middleware/drain-request-body.ts';

// Prerequisites: the BFF's pattern for /api/*, in small: the error handler, a route that refuses
// without reading (a missing X-CSRF), and the body parser with the API proxy's 16 kB limit. In
// front of it, the middleware under test with short limits, so that the bounds show quickly.
const LIMITS = { maxBytes: 4 * 1024 * 1024, maxMs: 5_000, idleMs: 300 };
let server: Server;
let port: number;

beforeAll(async () => {
  const app = new Koa();
  app.use(drainRequestBody(LIMITS));
  app.use(handleErrors(() => undefined));
  const router = new Router();
  router.post(
    '/api/notes',
    async (ctx, next) => {
      if (ctx.get('X-CSRF') !== '1') ctx.throw(403);
      await next();
    },
    bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' }),
    (ctx) => {
      ctx.body = { stored: true };
    },
  );
  app.use(router.routes());
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface Answer {
  status?: number;
  connection?: string;
  body?: unknown;
  /** Set when the exchange broke on the client's side (EPIPE, ECONNRESET...). */
  failure?: string;
}

/**
 * Uploads as a proxy relaying a browser's upload does (Vite's sends `Connection: close`): the body
 * in 64 kB pieces as they come, the answer read once the body is sent. A server that closes with
 * unread bytes resets the connection, and the next write fails (EPIPE) before the answer is read:
 * the race that gave the app's origin its 502s, made certain. `declaredLength` may lie;
 * `undefined` sends the body chunked; `stopAt` stops writing early and holds the connection open.
 */
function upload(size: number, options: { declaredLength?: number | 'actual'; csrf?: boolean; stopAt?: number } = {}): Promise<Answer> {
  const { declaredLength = 'actual', csrf = true, stopAt = size } = options;
  const chunked = declaredLength === undefined;
  const head = [
    'POST /api/notes HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    'Connection: close',
    ...(csrf ? ['X-CSRF: 1'] : []),
    chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${declaredLength === 'actual' ? size : declaredLength}`,
  ].join('\r\n');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let failure: string | undefined;
    socket.pause(); // the answer is read once the body is sent
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (failure ??= error.code ?? error.message));
    socket.on('close', () => resolve(failure ? { failure } : parseAnswer(Buffer.concat(received).toString('latin1'))));
    socket.write(`${head}\r\n\r\n`);
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const writeMore = (): void => {
      if (socket.destroyed) return;
      if (sent >= stopAt) {
        if (chunked && stopAt === size) socket.write('0\r\n\r\n');
        socket.resume();
        return;
      }
      const data = piece.subarray(0, Math.min(piece.length, stopAt - sent));
      sent += data.length;
      const flowing = chunked ? socket.write(`${data.length.toString(16)}\r\n${data.toString('latin1')}\r\n`, 'latin1') : socket.write(data);
      if (flowing) setTimeout(writeMore, 1);
      else socket.once('drain', writeMore);
    };
    writeMore();
  });
}

function parseAnswer(raw: string): Answer {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), connection: headers.connection, body: JSON.parse(body) as unknown };
}

const PAYLOAD_TOO_LARGE = { status: 413, connection: 'close', body: { error: 'payload_too_large', message: expect.any(String) } };

describe('POST /api/notes with a body over the limit, from a client that closes after the answer', () => {
  it('answers 413 payload_too_large to each of 50 uploads of 1 MB, one after another', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 50; i++) answers.push(await upload(1_000_000));
    expect(answers).toEqual(Array.from({ length: 50 }, () => PAYLOAD_TOO_LARGE));
  });

  it('answers 413 to 50 parallel uploads of 1 MB', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => upload(1_000_000)));
    expect(answers).toEqual(Array.from({ length: 50 }, () => PAYLOAD_TOO_LARGE));
  });

  it('answers 413 to a chunked upload of 1 MB (no Content-Length: the parser stops at 16 kB)', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload(1_000_000, { declaredLength: undefined })));
    expect(answers).toEqual(Array.from({ length: 10 }, () => PAYLOAD_TOO_LARGE));
  });

  it('answers 403 to a 1 MB upload refused before its body is read (no X-CSRF)', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload(1_000_000, { csrf: false })));
    expect(answers).toEqual(
      Array.from({ length: 10 }, () => ({ status: 403, connection: 'close', body: { error: 'forbidden', message: expect.any(String) } })),
    );
  });

  it('answers 413 once the client goes quiet, when Content-Length announces more than is sent', async () => {
    const started = Date.now();
    const answer = await upload(1_000_000, { declaredLength: 1_000_000, stopAt: 100_000 });
    expect(answer).toEqual(PAYLOAD_TOO_LARGE);
    expect(Date.now() - started).toBeLessThan(LIMITS.idleMs + 1_500);
  });

  it('stops reading past maxBytes and answers with Connection: close', async () => {
    const answer = await upload(16 * 1024 * 1024);
    // The answer may be lost to the reset of a close with unread bytes; when it arrives, it says close.
    if (answer.status !== undefined) expect(answer).toMatchObject(PAYLOAD_TOO_LARGE);
    else expect(['EPIPE', 'ECONNRESET']).toContain(answer.failure);
    // The server is fine afterwards.
    expect(await upload(1_000_000)).toEqual(PAYLOAD_TOO_LARGE);
  });

  it('leaves a body that fits alone: 200 with the parsed body', async () => {
    const answer = await new Promise<Answer>((resolve) => {
      const body = JSON.stringify({ text: 'hello' });
      const outgoing = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/notes',
          agent: false,
          headers: { 'Content-Type': 'application/json', 'X-CSRF': '1', Connection: 'close' },
        },
        (incoming) => {
          let text = '';
          incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
          incoming.on('end', () => resolve({ status: incoming.statusCode, body: JSON.parse(text) as unknown }));
        },
      );
      outgoing.end(body);
    });
    expect(answer).toEqual({ status: 200, body: { stored: true } });
  });
});
