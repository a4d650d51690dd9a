import { describe, expect, it } from 'vitest';
import { TraceRecorder, findLinks, linkKeyOf, runWithLinkFinder } from '../src/index.ts';
import type { RawExchange } from '@lab/shared';

const STATE = 'Zq1TzYx3oF0m2n8kR5vW7bC9dE4gH6jL';
const UID = 'V1StGXR8_Z5jdHi6B-myT';
const CODE = 'c0de-AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const AS_SESSION = 'pQ9rS8tU7vW6xY5zA4bC3';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

function exchange(parts: Partial<RawExchange>): RawExchange {
  return {
    time: new Date().toISOString(),
    direction: 'inbound',
    channel: 'front',
    from: 'user-agent',
    to: 'authserver',
    method: 'GET',
    url: 'http://127.0.0.1:4000/',
    durationMs: 1,
    requestHeaders: {},
    responseHeaders: {},
    correlationId: 'c1',
    ...parts,
  };
}

describe('findLinks', () => {
  it("finds the flow's random values where the real exchanges carry them", () => {
    expect(findLinks(exchange({ url: `http://127.0.0.1:4000/auth?client_id=bff&state=${STATE}` }))).toEqual([linkKeyOf('state', STATE)]);
    expect(
      findLinks(exchange({ url: `http://127.0.0.1:4000/interaction/${UID}/login`, responseHeaders: { location: `http://127.0.0.1:4000/auth/${UID}` } })),
    ).toEqual([linkKeyOf('interaction', UID)]);
    expect(
      findLinks(
        exchange({
          url: `http://127.0.0.1:4000/auth/${UID}`,
          responseHeaders: {
            location: `http://localhost:5173/bff/callback?code=${CODE}&state=${STATE}`,
            'set-cookie': `_session=${AS_SESSION}; path=/; expires=Thu, 01 Jan 2099 00:00:00 GMT; httponly, _session.sig=x; path=/`,
          },
        }),
      ).sort(),
    ).toEqual([linkKeyOf('interaction', UID), linkKeyOf('code', CODE), linkKeyOf('state', STATE), linkKeyOf('authserver-session', AS_SESSION)].sort());
    expect(
      findLinks(exchange({ url: 'http://127.0.0.1:4000/session/end', requestHeaders: { cookie: `other=1; _session=${AS_SESSION}; _session.sig=x` } })),
    ).toEqual([linkKeyOf('authserver-session', AS_SESSION)]);
    expect(
      findLinks(
        exchange({
          method: 'POST',
          url: 'http://127.0.0.1:4000/token',
          requestBody: `grant_type=authorization_code&code=${CODE}`,
          responseBody: JSON.stringify({ access_token: TOKEN }),
        }),
      ).sort(),
    ).toEqual([linkKeyOf('code', CODE), linkKeyOf('token', TOKEN)].sort());
    expect(findLinks(exchange({ url: 'http://127.0.0.1:4001/notes', requestHeaders: { authorization: `Bearer ${TOKEN}` } }))).toEqual([
      linkKeyOf('token', TOKEN),
    ]);
  });

  it('links nothing a caller could share by chance or guess: short values, client credentials, correlation ids', () => {
    expect(
      findLinks(
        exchange({
          url: 'http://127.0.0.1:4000/auth?state=abc&code=123',
          requestHeaders: { authorization: 'Basic YmZmOnNlY3JldA==', 'x-correlation-id': 'deadbeef', cookie: '_session=short' },
        }),
      ),
    ).toEqual([]);
    expect(findLinks(exchange({ url: 'http://127.0.0.1:4000/auth/short' }))).toEqual([]);
  });

  it('keeps hashes, never the values', () => {
    const links = findLinks(exchange({ url: `http://127.0.0.1:4000/auth?state=${STATE}` }));
    expect(links[0]).toMatch(/^[\w-]{22}$/);
    expect(links[0]).not.toContain(STATE.slice(0, 8));
  });

  it('never throws, whatever the exchange holds', () => {
    const hostile = exchange({
      url: 'http://127.0.0.1:4000/auth?%=1&state=%E0%A4%A&code=%zz',
      requestHeaders: { cookie: '_session="unterminated', authorization: 'Bearer' },
      responseHeaders: { location: '%%%/interaction/%zz', 'set-cookie': ',,,;;;' },
      requestBody: `{"state":${'['.repeat(5_000)}`,
      responseBody: `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    });
    expect(() => findLinks(hostile)).not.toThrow();
  });

  it("adds what the service's own finder gives, and the recorder keeps the links on the event", () => {
    const recorder = new TraceRecorder('bff');
    const event = runWithLinkFinder(
      () => ['own-link-key'],
      () => recorder.record(exchange({ url: `http://localhost:5173/bff/callback?state=${STATE}` })),
    );
    expect(event?.links).toEqual([linkKeyOf('state', STATE), 'own-link-key']);
    expect(recorder.record(exchange({ url: 'http://localhost:5173/bff/user' }))?.links).toBeUndefined();
  });

  it("loses a link, never the exchange, when the service's finder fails", () => {
    const recorder = new TraceRecorder('bff');
    const event = runWithLinkFinder(
      () => {
        throw new Error('broken finder');
      },
      () => recorder.record(exchange({ url: 'http://localhost:5173/bff/user' })),
    );
    expect(event).toBeDefined();
  });
});
