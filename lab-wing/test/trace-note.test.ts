import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { describe, expect, it, vi } from 'vitest';
import { TraceRecorder, createTracedRequest, runWithLinkFinder, traceRequests } from '../src/index.ts';
import type { RawExchange } from '@lab/shared';

/** An exchange carrying a JWT and a secret query parameter, as the BFF's API calls do. */
const JWT = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'alice', iss: 'http://127.0.0.1:4000' })).toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
function exchange(path: string): RawExchange {
  return {
    time: new Date().toISOString(),
    direction: 'outbound',
    channel: 'back',
    from: 'bff',
    to: 'resource-api',
    method: 'GET',
    url: `http://127.0.0.1:4001${path}?code=abcdefghijklmnopqrstuv`,
    status: 200,
    durationMs: 1,
    requestHeaders: { authorization: `Bearer ${JWT}` },
    responseHeaders: {},
    correlationId: 'c1',
  };
}

describe('TraceRecorder.note: the hot path', () => {
  it('does nothing costly while nobody watches: no JWT check, no link finding, until the trace is read', () => {
    const recorder = new TraceRecorder('bff');
    const verifier = vi.fn(async () => 'verified' as const);
    recorder.verifier = verifier;
    const links = vi.fn(() => ['session-link']);
    runWithLinkFinder(
      () => links,
      () => recorder.note(exchange('/notes')),
    );
    expect(verifier).not.toHaveBeenCalled();
    expect(links).not.toHaveBeenCalled();
    expect(recorder.lastSeq).toBe(1);

    const [event] = recorder.since(0);
    expect(verifier).toHaveBeenCalledTimes(1);
    expect(links).toHaveBeenCalledTimes(1);
    // Shown as always: secrets shortened, the JWT decoded, the service's link kept.
    expect(event?.url).toBe('http://127.0.0.1:4001/notes?code=abcdefghij…(22 chars)');
    expect(event?.requestHeaders.authorization).toMatch(/^Bearer eyJhbGciOi…\(\d+ chars\)$/);
    expect(event?.jwts?.[0]?.payload).toMatchObject({ sub: 'alice' });
    expect(event?.links).toContain('session-link');
    // Read again, it is the same event (shown once).
    expect(recorder.since(0)[0]).toBe(event);
    expect(links).toHaveBeenCalledTimes(1);
  });

  it('shows the exchange at once to a listener (the X-ray open), in order', () => {
    const recorder = new TraceRecorder('bff');
    recorder.note(exchange('/before'));
    const heard: string[] = [];
    recorder.subscribe((event, change) => {
      if (change === 'recorded') heard.push(new URL(event.url).pathname);
    });
    recorder.note(exchange('/while-watched'));
    expect(heard).toEqual(['/while-watched']);
    expect(recorder.since(0).map((event) => new URL(event.url).pathname)).toEqual(['/before', '/while-watched']);
  });

  it('never throws into the request, and keeps no more than its capacity', () => {
    const recorder = new TraceRecorder('bff', 3);
    for (let i = 0; i < 10; i += 1) recorder.note(exchange(`/n${i}`));
    expect(recorder.since(0).map((event) => event.seq)).toEqual([8, 9, 10]);
  });
});

describe('what a recorded exchange keeps while nobody reads it', () => {
  /** A body that counts how often it is turned into text (`JSON.stringify` calls `toJSON`). */
  function countedBody(value: unknown) {
    return { toJSON: vi.fn(() => value) };
  }

  it('a served request: its body is turned into text only when the trace is read; the event shows the headers a learner looks at', async () => {
    const recorder = new TraceRecorder('bff');
    const app = new Koa();
    const answer = countedBody({ notes: ['a note'] });
    app.use(traceRequests(recorder, 'bff'));
    app.use((ctx) => {
      ctx.set('X-Internal-Header', 'not shown');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = answer;
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/notes`, { headers: { 'X-CSRF': '1', 'User-Agent': 'not shown' } });
      expect(await response.json()).toEqual({ notes: ['a note'] });
      // Koa itself turned the body into the answer's text once; the trace did not.
      expect(answer.toJSON).toHaveBeenCalledTimes(1);

      const [event] = recorder.since(0);
      expect(answer.toJSON).toHaveBeenCalledTimes(2);
      expect(event?.responseBody).toBe('{"notes":["a note"]}');
      expect(event?.requestHeaders).toEqual({ 'x-csrf': '1' });
      expect(event?.responseHeaders).toEqual({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
    } finally {
      server.close();
    }
  });

  it('a call the service makes: its answer is turned into text only when the trace is read; the event shows the headers a learner looks at', async () => {
    const recorder = new TraceRecorder('bff');
    const body = Buffer.from('{"notes":[]}');
    const bodyAsText = vi.spyOn(body, 'toString');
    const inner = vi.fn(async () => ({ status: 200, headers: { 'content-type': 'application/json', 'x-internal-header': 'not shown' }, body }));
    const send = createTracedRequest(recorder, 'bff', () => 'resource-api', inner);
    const answer = await send(new URL('http://127.0.0.1:4001/notes'), {
      method: 'GET',
      headers: { authorization: 'Bearer abc', accept: 'application/json' },
      timeoutMs: 1_000,
    });
    expect(answer.body).toBe(body);
    expect(bodyAsText).not.toHaveBeenCalled();

    const [event] = recorder.since(0);
    expect(bodyAsText).toHaveBeenCalledTimes(1);
    expect(event?.responseBody).toBe('{"notes":[]}');
    expect(Object.keys(event?.requestHeaders ?? {})).toEqual(['authorization']);
    expect(event?.responseHeaders).toEqual({ 'content-type': 'application/json' });
  });
});
