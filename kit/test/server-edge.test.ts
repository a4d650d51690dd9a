import Koa from 'koa';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listenUntilStopped } from '../src/index.ts';

// Prerequisites: a small Koa service started the way every service's main.ts starts (port 0), its
// log lines collected, and console.error watched: Koa's default listener would print stacks there.
const logs: string[] = [];
const consoleErrors = vi.spyOn(console, 'error');
let server: Server;
let port: number;
const signalListeners = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };

beforeAll(async () => {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/boom') throw new TypeError('boom');
    if (ctx.path === '/decode') ctx.body = decodeURIComponent(ctx.querystring);
    else if (ctx.path === '/refused') ctx.throw(403, 'Not yours.');
    else if (ctx.path === '/big') ctx.body = Buffer.alloc(32 * 1024 * 1024);
    else ctx.body = { status: 'ok', path: ctx.path };
  });
  await new Promise<void>((resolve) => {
    server = listenUntilStopped('svc', app, { host: '127.0.0.1', port: 0 }, resolve, { log: (line) => logs.push(line) });
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    for (const listener of process.listeners(signal)) if (!signalListeners[signal].includes(listener)) process.off(signal, listener);
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  consoleErrors.mockRestore();
});

/** Sends bytes exactly as written and returns all that comes back until the server closes (or `waitMs`). */
function sendRaw(data: string, waitMs = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${received}<held open>`);
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.end(data);
  });
}

function statusAndBody(raw: string): { status: number; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) as unknown };
}

const noStackTraces = () => expect([...logs, ...consoleErrors.mock.calls.map(String)].join('\n')).not.toMatch(/^\s+at /m);

describe('a request Node cannot parse', () => {
  it.each([
    ['a request line of garbage', 'GARBAGE\r\n\r\n', 400, 'HPE_INVALID_METHOD'],
    ['a method with a bad character', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'HPE_INVALID_METHOD'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400, 'HPE_INVALID_HEADER_TOKEN'],
    ['an unknown HTTP version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', 400, 'HPE_INVALID_VERSION'],
    ['a NUL in the target', 'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'HPE_INVALID_URL'],
    ['a 20 kB header', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HPE_HEADER_OVERFLOW'],
  ])('answers %s with a JSON error and logs one line with the code', async (_name, request, status, code) => {
    logs.length = 0;
    const { status: answered, body } = statusAndBody(await sendRaw(request));
    expect(answered).toBe(status);
    expect(body).toEqual({ error: status === 431 ? 'request_header_fields_too_large' : 'bad_request', message: expect.any(String) });
    expect(logs).toEqual([`svc: client error ${code} from 127.0.0.1`]);
    noStackTraces();
  });

  it('answers the bytes a lying Content-Length left behind with 400, after the real answer', async () => {
    const raw = await sendRaw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}NOT A REQUEST\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('answers 300 parallel malformed requests within 5 s, one log line each, and goes on serving', async () => {
    logs.length = 0;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => sendRaw(`BAD${i} / HTTP/1.1\r\n\r\n`)));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers.map((raw) => raw.slice(0, 24))).toEqual(Array.from({ length: 300 }, () => 'HTTP/1.1 400 Bad Request'));
    expect(logs).toHaveLength(300);
    expect(new Set(logs)).toEqual(new Set(['svc: client error HPE_INVALID_METHOD from 127.0.0.1']));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    noStackTraces();
  });
});

describe('CONNECT', () => {
  it('answers 405 method_not_allowed instead of dropping the connection', async () => {
    const raw = await sendRaw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(statusAndBody(raw)).toEqual({ status: 405, body: { error: 'method_not_allowed', message: expect.any(String) } });
  });
});

describe('an Upgrade: websocket request', () => {
  it('gets the plain HTTP answer at once, 500 of them in parallel within 5 s', async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 500 }, () =>
        sendRaw(
          'GET /socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
      ),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers.map((raw) => raw.slice(0, 15))).toEqual(Array.from({ length: 500 }, () => 'HTTP/1.1 200 OK'));
  });
});

describe("the app's error event", () => {
  it('logs an unexpected error on one line with its message and first stack frame, and answers 500', async () => {
    logs.length = 0;
    const response = await fetch(`http://127.0.0.1:${port}/boom?code=secret-code`);
    expect(response.status).toBe(500);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^svc: error on GET \/boom: TypeError: boom \(at .*server-edge\.test\.ts:\d+:\d+\)$/);
    expect(logs[0]).not.toContain('secret-code');
    noStackTraces();
  });

  it('logs a malformed percent-encoding that reached decodeURIComponent as a client error (URIError)', async () => {
    logs.length = 0;
    await fetch(`http://127.0.0.1:${port}/decode?%E0%A4%A`);
    expect(logs).toEqual(['svc: client error URIError on GET /decode']);
  });

  it('keeps an exposed client error (ctx.throw(403)) silent, as Koa does', async () => {
    logs.length = 0;
    expect((await fetch(`http://127.0.0.1:${port}/refused`)).status).toBe(403);
    expect(logs).toEqual([]);
  });

  it('logs a client that leaves mid-answer on one line with the code', async () => {
    logs.length = 0;
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.once('data', () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    await vi.waitFor(() => expect(logs).toHaveLength(1));
    expect(logs[0]).toMatch(/^svc: client error (EPIPE|ECONNRESET|ERR_STREAM_PREMATURE_CLOSE) on GET \/big$/);
    noStackTraces();
  });

  it('printed nothing to the console: every line went to the service log', () => {
    expect(consoleErrors).not.toHaveBeenCalled();
  });
});
