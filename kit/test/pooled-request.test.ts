import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPooledRequest } from '../src/index.ts';

// Prerequisites: a callee on port 0 that answers at once, never answers, or stops in the middle of
// its body; the answers it never finishes are ended when the tests are done.
let server: Server;
let base: string;
const unfinished: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/silent') {
      unfinished.push(response);
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of unfinished) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

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
    await expect(send(new URL(`${base}/silent`), { method: 'GET', headers: {}, timeoutMs: 300 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails after timeoutMs when the callee stops in the middle of its body', async () => {
    const started = Date.now();
    await expect(send(new URL(`${base}/stalls`), { method: 'GET', headers: {}, timeoutMs: 300 })).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
