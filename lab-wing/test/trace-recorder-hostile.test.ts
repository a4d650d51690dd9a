import Koa from 'koa';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bodyParser } from '@koa/bodyparser';
import { TraceRecorder, redactHeader, redactUrl, traceRequests } from '../src/index.ts';
import { handleErrors, isValidHost, rejectMalformedUrl } from '@lab/kit';

/** Malformed percent-encodings as a fuzzer sends them: lone `%`, bad hex, cut or overlong UTF-8. */
const MALFORMED = ['%', '%=1', '%zz', 'code=%zz', 'a=%E0%A4%A', 'state=%', '%C0%AF', '%ED%A0%80', '%%', 'x=%2', '%FF'];

describe('the trace recorder', () => {
  it.each(MALFORMED)('redacts a URL whose query is %s without throwing', (query) => {
    expect(() => redactUrl(`http://127.0.0.1:4001/notes?${query}`)).not.toThrow();
    expect(() => redactUrl(`http://127.0.0.1:4001/cb#${query}`)).not.toThrow();
  });

  it('shows Basic credentials with a malformed encoding as they came, secret shortened', () => {
    const value = `Basic ${Buffer.from('b%ff:x%zzsecret').toString('base64')}`;
    expect(redactHeader('authorization', value)).toBe('Basic base64(b%ff:x%zz…(10 chars))');
  });

  it('keeps decoding well-formed secret parameters', () => {
    expect(redactUrl('http://h/cb?code=abcdefghijklmnop&x=%41')).toBe('http://h/cb?code=abcdefghij…(16 chars)&x=%41');
  });

  it('never throws into the request it records, whatever fails inside: one line in the log instead', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const recorder = new TraceRecorder('bff');
    const recorded = recorder.record({
      time: new Date().toISOString(),
      direction: 'inbound',
      channel: 'front',
      from: 'user-agent',
      to: 'bff',
      method: 'POST',
      url: 'http://h/api/notes',
      durationMs: 1,
      requestHeaders: {},
      responseHeaders: {},
      requestBody: {
        toString: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
      } as unknown as string,
      correlationId: 'c1',
    });
    expect(recorded).toBeUndefined();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/^bff: trace: could not record POST inbound exchange \(\w*Error\)$/);
    errors.mockRestore();
  });
});

describe('rejectMalformedUrl, behind the trace, in front of every route', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** A service shaped like the lab's: trace outermost, one error handler, then the check, then a route that acts. */
  async function start() {
    const recorder = new TraceRecorder('bff');
    const acted: string[] = [];
    const app = new Koa();
    app.use(traceRequests(recorder, 'bff'));
    app.use(handleErrors(() => undefined));
    app.use(rejectMalformedUrl());
    app.use((ctx) => {
      acted.push(ctx.url);
      ctx.body = { ok: true };
    });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    /** Sends the path as raw bytes: fetch would refuse or re-encode it. */
    const send = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-length': '0' } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    return { send, acted, recorder };
  }

  it.each(
    MALFORMED.flatMap((query) => [`/api/notes?${query}`, `/bff/logout?${query}`]).concat([
      '/api/%zz',
      '/api/%E0%A4%A/notes',
      '/bff/callback?code=%E0%A4%A&state=%',
    ]),
  )('answers %s with 400 invalid_url_encoding before anything happens', async (path) => {
    const { send, acted, recorder } = await start();
    const response = await send(path);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_url_encoding',
      message: 'The URL holds a malformed percent-encoding (a "%" must start a valid UTF-8 byte sequence such as %2F).',
    });
    expect(acted).toEqual([]);
    // The refusal is in the trace like any other exchange.
    expect(recorder.since().map((event) => event.status)).toEqual([400]);
  });

  it('lets well-formed encodings through (UTF-8, encoded reserved characters, plus signs)', async () => {
    const { send, acted } = await start();
    for (const path of ['/api/notes?text=caf%C3%A9', '/api/notes?q=a%2Fb%3Fc', '/api/notes?q=a+b', '/api/notes']) {
      expect((await send(path)).status).toBe(200);
    }
    expect(acted).toHaveLength(4);
  });
});

describe('isValidHost', () => {
  it.each(['localhost:5173', '127.0.0.1:4000', '[::1]:6660', 'example.test', ''])('accepts %j', (host) => {
    expect(isValidHost(host)).toBe(true);
  });
  it.each(['[::1', 'a b', 'x/y', 'user@host', 'h:99999', 'h:port', '\\\\evil'])('refuses %j', (host) => {
    expect(isValidHost(host)).toBe(false);
  });
});

describe('a body that does not match its Content-Encoding', () => {
  it.each(['gzip', 'deflate', 'br'])('is 400 invalid_content_encoding (%s), not a 500', async (encoding) => {
    const app = new Koa();
    const unexpected: unknown[] = [];
    app.use(handleErrors((error) => unexpected.push(error)));
    app.use(bodyParser());
    app.use((ctx) => {
      ctx.body = { parsed: ctx.request.body };
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        body: '{"text":"not compressed"}',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_content_encoding', message: 'The request body does not match its Content-Encoding.' });
      expect(unexpected).toEqual([]);
    } finally {
      server.close();
    }
  });
});
