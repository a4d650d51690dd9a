import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, handleErrors, toHttpError } from '../src/index.ts';

// Prerequisites: a Koa service with the lab's one error handler in front of routes that fail in
// each way a service can (its own HttpError, a Koa or body-parser error, a bug), on port 0. Every
// answer is checked as it goes on the wire: status, JSON body, Cache-Control and the error's headers.
const unexpected: unknown[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const app = new Koa();
  const router = new Router();
  app.use(handleErrors((error) => unexpected.push(error)));
  router.get('/rate-limited', () => {
    throw new HttpError(429, 'too_many_requests', 'Slow down.', { headers: { 'Retry-After': '30' }, extra: { retryAfterSeconds: 30 } });
  });
  router.get('/extra-tries-to-override', () => {
    throw new HttpError(400, 'invalid_thing', 'The thing is invalid.', { extra: { error: 'something_else', message: 'not this', startAgain: '/again' } });
  });
  router.get('/unavailable', () => {
    throw new HttpError(503, 'authserver_unavailable', 'Try again in a moment.', { cause: new Error('ECONNREFUSED 127.0.0.1:4000') });
  });
  router.get('/bug', () => {
    throw new TypeError("Cannot read properties of undefined (reading 'secret') at /srv/bff/src/oidc-client.ts:42");
  });
  router.get('/not-an-error', () => {
    throw 'a string';
  });
  router.get('/koa-throw-exposed', (ctx) => ctx.throw(403, 'Not yours.'));
  router.get('/koa-throw-hidden', (ctx) => ctx.throw(500, 'database password is hunter2'));
  router.get('/koa-throw-teapot', (ctx) => ctx.throw(418));
  router.get('/upstream-status', () => {
    throw Object.assign(new Error('upstream said 502'), { status: 502, expose: true });
  });
  router.get('/empty-404', (ctx) => {
    ctx.status = 404;
  });
  router.get('/own-404', (ctx) => {
    ctx.status = 404;
    ctx.body = { error: 'note_not_found', message: 'No such note.' };
  });
  router.post('/json', bodyParser({ enableTypes: ['json'], jsonLimit: '1kb' }), (ctx) => {
    ctx.body = { got: ctx.request.body };
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function answerTo(path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, init);
  return {
    status: response.status,
    body: (await response.json()) as unknown,
    cacheControl: response.headers.get('cache-control'),
    contentType: response.headers.get('content-type'),
  };
}

const JSON_NO_STORE = { cacheControl: 'no-store', contentType: 'application/json; charset=utf-8' };
const INTERNAL = { error: 'internal_error', message: 'Something went wrong on our side; the details are in the service log.' };

describe("handleErrors: a service's own errors (HttpError)", () => {
  it('keeps status, code and message, sends its headers, adds its extra members, and is never cached', async () => {
    const response = await fetch(`${url}/rate-limited`);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 429,
      body: { error: 'too_many_requests', message: 'Slow down.', retryAfterSeconds: 30 },
    });
  });

  it('never lets an extra member replace `error` or `message`', async () => {
    expect(await answerTo('/extra-tries-to-override')).toEqual({
      status: 400,
      body: { error: 'invalid_thing', message: 'The thing is invalid.', startAgain: '/again' },
      ...JSON_NO_STORE,
    });
  });

  it('answers its own 5xx as written, without the cause, and does not report it as unexpected', async () => {
    unexpected.length = 0;
    expect(await answerTo('/unavailable')).toEqual({
      status: 503,
      body: { error: 'authserver_unavailable', message: 'Try again in a moment.' },
      ...JSON_NO_STORE,
    });
    expect(unexpected).toEqual([]);
  });
});

describe('handleErrors: anything else', () => {
  it('answers a bug with 500 internal_error and not a word of it (no message, path or stack), and reports it once', async () => {
    unexpected.length = 0;
    const answer = await answerTo('/bug');
    expect(answer).toEqual({ status: 500, body: INTERNAL, ...JSON_NO_STORE });
    expect(JSON.stringify(answer.body)).not.toMatch(/secret|oidc-client|TypeError/);
    expect(unexpected).toHaveLength(1);
    expect(unexpected[0]).toBeInstanceOf(TypeError);
  });

  it('answers a thrown non-Error with 500 internal_error, and reports it', async () => {
    unexpected.length = 0;
    expect(await answerTo('/not-an-error')).toEqual({ status: 500, body: INTERNAL, ...JSON_NO_STORE });
    expect(unexpected).toEqual(['a string']);
  });

  it("keeps a Koa 4xx's message when it is marked expose (ctx.throw(403, '…'))", async () => {
    expect(await answerTo('/koa-throw-exposed')).toEqual({ status: 403, body: { error: 'forbidden', message: 'Not yours.' }, ...JSON_NO_STORE });
  });

  it("hides a Koa 5xx's message (ctx.throw(500, '…')) behind internal_error", async () => {
    const answer = await answerTo('/koa-throw-hidden');
    expect(answer).toEqual({ status: 500, body: INTERNAL, ...JSON_NO_STORE });
  });

  it('gives a 4xx without a code of its own the generic bad_request', async () => {
    expect(await answerTo('/koa-throw-teapot')).toEqual({ status: 418, body: { error: 'bad_request', message: "I'm a Teapot" }, ...JSON_NO_STORE });
  });

  it('answers an error carrying a 5xx status (not an HttpError) as 500 internal_error: a 5xx is never a client mistake to explain', async () => {
    expect(await answerTo('/upstream-status')).toEqual({ status: 500, body: INTERNAL, ...JSON_NO_STORE });
  });

  it('answers a route that set nothing with 404 not_found, naming the method and path', async () => {
    expect(await answerTo('/empty-404')).toEqual({ status: 404, body: { error: 'not_found', message: 'Nothing at GET /empty-404.' }, ...JSON_NO_STORE });
    expect(await answerTo('/nowhere?x=1')).toEqual({ status: 404, body: { error: 'not_found', message: 'Nothing at GET /nowhere.' }, ...JSON_NO_STORE });
  });

  it("leaves a route's own 404 body alone", async () => {
    const response = await fetch(`${url}/own-404`);
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 404, body: { error: 'note_not_found', message: 'No such note.' } });
  });

  it('answers a method the route does not take with 405 method_not_allowed', async () => {
    expect(await answerTo('/json', { method: 'GET' })).toMatchObject({ status: 405, body: { error: 'method_not_allowed' }, ...JSON_NO_STORE });
  });
});

describe("handleErrors: the body parser's refusals (a client's mistakes, never a 500)", () => {
  const post = (body: RequestInit['body'], headers: Record<string, string> = {}) =>
    answerTo('/json', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

  it('broken JSON: 400 invalid_json with a plain sentence, not the parser’s message', async () => {
    expect(await post('{"text":')).toEqual({
      status: 400,
      body: { error: 'invalid_json', message: 'The request body is not valid JSON (an object or an array).' },
      ...JSON_NO_STORE,
    });
  });

  it('a body past the limit: 413 payload_too_large', async () => {
    expect(await post(JSON.stringify({ text: 'x'.repeat(2_000) }))).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'request entity too large' },
      ...JSON_NO_STORE,
    });
  });

  it.each([
    ['gzip', Buffer.from('{"text":"not gzip at all"}')],
    ['deflate', Buffer.from('{"text":"not deflate"}')],
    ['br', Buffer.from('{"text":"not brotli"}')],
  ])('a body that is not what Content-Encoding: %s says: 400 invalid_content_encoding', async (encoding, body) => {
    expect(await post(body, { 'Content-Encoding': encoding })).toEqual({
      status: 400,
      body: { error: 'invalid_content_encoding', message: 'The request body does not match its Content-Encoding.' },
      ...JSON_NO_STORE,
    });
  });

  it('a well-formed gzip body is read as JSON (the encoding check refuses only mismatches)', async () => {
    const response = await fetch(`${url}/json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync('{"text":"hi"}'),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { got: { text: 'hi' } } });
  });
});

describe('toHttpError', () => {
  it('returns an HttpError itself, unchanged', () => {
    const error = new HttpError(401, 'not_authenticated', 'You are not signed in.');
    expect(toHttpError(error)).toBe(error);
  });

  it.each([
    [{ status: 400, expose: false, message: 'secret detail' }, 400, 'bad_request', 'The request was refused (400).'],
    [{ status: 401, expose: true, message: 'Who are you?' }, 401, 'unauthorized', 'Who are you?'],
    [{ status: 415, expose: true, message: 'Unsupported Media Type' }, 415, 'unsupported_media_type', 'Unsupported Media Type'],
    [{ status: 400, type: 'entity.parse.failed' }, 400, 'invalid_json', 'The request body is not valid JSON (an object or an array).'],
    [{ code: 'Z_DATA_ERROR' }, 400, 'invalid_content_encoding', 'The request body does not match its Content-Encoding.'],
    [{ code: 'ERR__ERROR_FORMAT_PADDING_1' }, 400, 'invalid_content_encoding', 'The request body does not match its Content-Encoding.'],
    [{ status: 399 }, 500, 'internal_error', INTERNAL.message],
    [{ status: '400' }, 500, 'internal_error', INTERNAL.message],
    [null, 500, 'internal_error', INTERNAL.message],
    [undefined, 500, 'internal_error', INTERNAL.message],
  ])('%o → %i %s', (thrown, status, code, message) => {
    const error = toHttpError(thrown === null || thrown === undefined ? thrown : Object.assign(new Error('raw'), thrown));
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status, code, message });
  });
});
