import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createPooledRequest } from '@lab/kit';
import { createRemoteJWKSet, customFetch, errors } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCallee, listenOnLoopback, refusedUrl } from '../../kit/test/support/loopback-callee.ts';
import { fetchOverRequest } from '../src/back-channel.ts';

// Prerequisites: a callee on port 0 that echoes what it received, serves a key set, redirects, or
// never answers; the real pooled request under the fetch; the answers it never finishes are ended
// when the tests are done.
let server: Server;
let base: string;
const unfinished: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/silent') {
      unfinished.push(response);
      return;
    }
    if (request.url === '/moved') {
      response.writeHead(302, { Location: 'https://elsewhere.example/' });
      response.end();
      return;
    }
    if (request.url === '/jwks') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"keys":[]}');
      return;
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({ method: request.method, type: request.headers['content-type'] ?? null, length: request.headers['content-length'] ?? null, body }),
      );
    });
  });
  base = await listenOnLoopback(server);
});

afterAll(() => closeCallee(server, unfinished));

describe("fetchOverRequest: a fetch over the BFF's back channel", () => {
  const backChannel = fetchOverRequest(createPooledRequest(), 300);

  it('sends a form body as openid-client gives it (URLSearchParams), with its type and length', async () => {
    const response = await backChannel(`${base}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'a b' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      method: 'POST',
      type: 'application/x-www-form-urlencoded;charset=UTF-8',
      length: '38',
      body: 'grant_type=authorization_code&code=a+b',
    });
  });

  it('returns a redirect as it came, never following it', async () => {
    const response = await backChannel(`${base}/moved`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://elsewhere.example/');
  });

  it('fails as fetch does when nobody answers: TypeError "fetch failed", the system code in its cause', async () => {
    const failure = await backChannel(await refusedUrl('/token')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
  });

  it('fails with a TimeoutError when the callee stays silent, as jose and openid-client expect of a timeout', async () => {
    const failure = await backChannel(`${base}/silent`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DOMException);
    expect(failure).toMatchObject({ name: 'TimeoutError', cause: { code: 'HEADERS_TIMEOUT' } });
    // jose reads a key set over it, and tells its timeout from other failures by that name.
    const keys = createRemoteJWKSet(new URL(`${base}/silent`), { [customFetch]: backChannel });
    await expect(keys({ alg: 'RS256' })).rejects.toBeInstanceOf(errors.JWKSTimeout);
  });

  it('refuses a body it cannot send as it is (a stream) before anything is sent', async () => {
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    await expect(backChannel(`${base}/token`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)).rejects.toThrow(TypeError);
  });
});
