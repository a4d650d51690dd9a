import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCallee, listenOnLoopback, refusedUrl } from './support/loopback-callee.ts';
import { createPooledRequest } from '../src/index.ts';

// Prerequisites: a callee on port 0 that answers at once, never answers, or stops in the middle of
// its body; the answers it never finishes are ended when the tests are done.
let server: Server;
let base: string;
const sockets: unknown[] = [];
const unfinished: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/silent') {
      unfinished.push(response);
      return;
    }
    if (request.url === '/cut') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      response.write('{"notes":', () => response.socket?.destroy());
      return;
    }
    if (request.url === '/echo-length') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({
          length: request.headers['content-length'] ?? null,
          chunked: request.headers['transfer-encoding'] ?? null,
          socket: sockets.indexOf(request.socket),
        }),
      );
      return;
    }
    if (request.url === '/stalls') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      response.write('{"notes":');
      unfinished.push(response);
      return;
    }
    response.writeHead(201, { 'Content-Type': 'application/json', 'X-Seen-Method': request.method ?? '' });
    response.end(JSON.stringify({ authorization: request.headers.authorization ?? null }));
  });
  server.on('connection', (socket) => sockets.push(socket));
  base = await listenOnLoopback(server);
});

afterAll(() => closeCallee(server, unfinished));

describe('createPooledRequest', () => {
  const send = createPooledRequest();

  it('sends the call as given and returns the whole answer, header names in lower case', async () => {
    const answer = await send(new URL(`${base}/notes`), { method: 'POST', headers: { Authorization: 'Bearer abc' }, body: '{}', timeoutMs: 1_000 });
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['x-seen-method']).toBe('POST');
    expect(answer.body.toString('utf8')).toBe('{"authorization":"Bearer abc"}');
  });

  it('fails after timeoutMs when the callee sends no answer at all', async () => {
    const started = Date.now();
    await expect(send(new URL(`${base}/silent`), { method: 'GET', headers: {}, timeoutMs: 300 })).rejects.toMatchObject({
      name: 'TimeoutError',
      code: 'HEADERS_TIMEOUT',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails after timeoutMs when the callee stops in the middle of its body', async () => {
    const started = Date.now();
    await expect(send(new URL(`${base}/stalls`), { method: 'GET', headers: {}, timeoutMs: 300 })).rejects.toMatchObject({
      name: 'TimeoutError',
      code: 'BODY_TIMEOUT',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails, and does not hang, when the callee closes the connection in the middle of its body', async () => {
    await expect(send(new URL(`${base}/cut`), { method: 'GET', headers: {}, timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('fails with the system code when nothing listens', async () => {
    await expect(send(await refusedUrl('/notes'), { method: 'GET', headers: {}, timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('sends a body with its length (not chunked), and keeps one connection for calls one after the other', async () => {
    const call = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"é"}', timeoutMs: 1_000 };
    const first = JSON.parse((await send(new URL(`${base}/echo-length`), call)).body.toString('utf8')) as { length: string; chunked: null; socket: number };
    const second = JSON.parse((await send(new URL(`${base}/echo-length`), call)).body.toString('utf8')) as { socket: number };
    expect(first).toMatchObject({ length: '13', chunked: null });
    expect(second.socket).toBe(first.socket);
  });

  it('answers every one of many calls made at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => send(new URL(`${base}/notes?n=${index}`), { method: 'GET', headers: {}, timeoutMs: 2_000 })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 50 }, () => 201));
  });

  it('retires an idle connection a second before the callee would close it, so that no call is sent on a closing one', async () => {
    // A callee that closes idle connections after 2 s, and says so (`Keep-Alive: timeout=2`).
    const callee = createServer((_request, response) => response.end('ok'));
    callee.keepAliveTimeout = 2_000;
    let connections = 0;
    callee.on('connection', () => {
      connections += 1;
    });
    const url = new URL('/', await listenOnLoopback(callee));
    const call = { method: 'GET', headers: {}, timeoutMs: 1_000 };
    try {
      const statuses = [(await send(url, call)).status, (await send(url, call)).status];
      const afterTwoAtOnce = connections;
      // 1.5 s idle: the callee would still take it, but it is within a second of closing it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      statuses.push((await send(url, call)).status);
      expect(statuses).toEqual([200, 200, 200]);
      expect(afterTwoAtOnce).toBe(1);
      expect(connections).toBe(2);
    } finally {
      await closeCallee(callee);
    }
  });
});
