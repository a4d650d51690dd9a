import { describe, expect, it, vi } from 'vitest';
import { TraceRecorder, runWithLinkFinder } from '../src/index.ts';
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
