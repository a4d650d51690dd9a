import { describe, expect, it } from 'vitest';
import { deriveHoldings, exchangesOf, groupByAction, senderOf, type Holding, type TraceEvent } from '../src/index.ts';

const APP = 'http://localhost:5173';
const AS = 'http://127.0.0.1:4000';
let clock = Date.parse('2026-01-01T10:00:00.000Z');
let seq = 0;

/** A recorded exchange, as the services write them (secrets already shortened). */
function exchange(partial: Partial<TraceEvent> & Pick<TraceEvent, 'from' | 'to' | 'method' | 'url'>, gapMs = 10): TraceEvent {
  clock += gapMs;
  seq += 1;
  return {
    id: `e${seq}`,
    seq,
    time: new Date(clock).toISOString(),
    service: partial.direction === 'outbound' ? (partial.from as TraceEvent['service']) : (partial.to as TraceEvent['service']),
    direction: 'inbound',
    channel: partial.from === 'user-agent' ? 'front' : 'back',
    status: 200,
    durationMs: 5,
    requestHeaders: {},
    responseHeaders: {},
    correlationId: `c${seq}`,
    fullView: false,
    ...partial,
  };
}

/** The BFF login as the trace shows it: the browser carries redirects, the BFF redeems the code. */
function bffLogin(): TraceEvent[] {
  return [
    exchange({
      from: 'user-agent',
      to: 'bff',
      method: 'GET',
      url: `${APP}/bff/login?returnTo=%2F`,
      status: 302,
      responseHeaders: {
        location: `${AS}/auth?response_type=code&client_id=bff&state=st4te…(43 chars)&nonce=n…(43 chars)&code_challenge=abc&code_challenge_method=S256`,
        'set-cookie': 'bff_session=1f2e3d…(36 chars); path=/; samesite=lax; httponly',
      },
      cookies: { sent: [], set: [{ name: 'bff_session', value: '1f2e3d…(36 chars)', attributes: ['Path=/', 'HttpOnly', 'SameSite=Lax'], removed: false }] },
    }),
    exchange({
      from: 'user-agent',
      to: 'authserver',
      method: 'GET',
      url: `${AS}/auth?response_type=code&state=st4te…(43 chars)&code_challenge=abc`,
      status: 303,
    }),
    exchange({
      from: 'user-agent',
      to: 'authserver',
      method: 'GET',
      url: `${AS}/auth/uid1`,
      status: 303,
      responseHeaders: { location: `${APP}/bff/callback?code=c0de…(43 chars)&state=st4te…(43 chars)&iss=${encodeURIComponent(AS)}` },
    }),
    exchange({
      from: 'user-agent',
      to: 'bff',
      method: 'GET',
      url: `${APP}/bff/callback?code=c0de…(43 chars)&state=st4te…(43 chars)`,
      status: 302,
      correlationId: 'cb',
      requestHeaders: { cookie: 'bff_session=1f2e3d…(36 chars)' },
      responseHeaders: { location: '/', 'set-cookie': 'bff_session=9a8b7c…(36 chars); path=/; samesite=lax; httponly' },
      cookies: {
        sent: [{ name: 'bff_session', value: '1f2e3d…(36 chars)', attributes: [], removed: false }],
        set: [{ name: 'bff_session', value: '9a8b7c…(36 chars)', attributes: ['Path=/', 'HttpOnly', 'SameSite=Lax'], removed: false }],
      },
    }),
    exchange(
      {
        from: 'bff',
        to: 'authserver',
        method: 'POST',
        url: `${AS}/token`,
        direction: 'outbound',
        correlationId: 'cb',
        requestBody: 'grant_type=authorization_code&code=c0de…(43 chars)&code_verifier=v3r…(43 chars)',
        responseBody: '{"access_token":"eyJhbGciOi…(730 chars)","refresh_token":"r3fr…(43 chars)","id_token":"eyJhbGciOi…(754 chars)"}',
      },
      1,
    ),
    exchange(
      {
        from: 'bff',
        to: 'authserver',
        method: 'POST',
        url: `${AS}/token`,
        correlationId: 'cb',
        requestBody: 'grant_type=authorization_code&code=c0de…(43 chars)&code_verifier=v3r…(43 chars)',
        responseBody: '{"access_token":"eyJhbGciOi…(730 chars)","refresh_token":"r3fr…(43 chars)","id_token":"eyJhbGciOi…(754 chars)"}',
      },
      1,
    ),
    exchange(
      {
        from: 'user-agent',
        to: 'bff',
        method: 'GET',
        url: `${APP}/api/notes`,
        requestHeaders: { 'x-csrf': '1', cookie: 'bff_session=9a8b7c…(36 chars)' },
        cookies: { sent: [{ name: 'bff_session', value: '9a8b7c…(36 chars)', attributes: [], removed: false }], set: [] },
        correlationId: 'notes',
      },
      3000,
    ),
    exchange(
      {
        from: 'bff',
        to: 'resource-api',
        method: 'GET',
        url: 'http://127.0.0.1:4001/notes',
        correlationId: 'notes',
        requestHeaders: { authorization: 'Bearer eyJhbGciOi…(730 chars)' },
      },
      2,
    ),
  ];
}

function held(holdings: readonly Holding[], party: string): string[] {
  return holdings
    .filter((holding) => holding.party === party && holding.state === 'held')
    .map((holding) => holding.artifact)
    .sort();
}

describe('exchangesOf', () => {
  it('keeps each call between two services once, on the side that served it', () => {
    const events = bffLogin();
    const exchanges = exchangesOf(events);
    expect(exchanges.filter((event) => event.url.endsWith('/token')).map((event) => event.direction)).toEqual(['inbound']);
    expect(exchanges).toHaveLength(events.length - 1);
  });

  it('keeps the sent side of a call nobody answered', () => {
    const unanswered = exchange({
      from: 'bff',
      to: 'resource-api',
      method: 'GET',
      url: 'http://127.0.0.1:4001/notes',
      direction: 'outbound',
      status: undefined,
      error: 'ECONNREFUSED',
    });
    expect(exchangesOf([unanswered])).toEqual([unanswered]);
  });
});

describe('senderOf', () => {
  it("draws the app's own calls (X-CSRF, or Origin: the app) from the SPA, navigations from the User Agent", () => {
    const [login, , , , , , notes] = bffLogin();
    expect(senderOf(login!, APP)).toBe('user-agent');
    expect(senderOf(notes!, APP)).toBe('spa');
    const tokenFromPage = exchange({ from: 'user-agent', to: 'authserver', method: 'POST', url: `${AS}/token`, requestHeaders: { origin: APP } });
    expect(senderOf(tokenFromPage, APP)).toBe('spa');
    expect(senderOf(exchange({ from: 'bff', to: 'authserver', method: 'POST', url: `${AS}/token` }), APP)).toBe('bff');
  });
});

describe('groupByAction', () => {
  it('puts a request and its back-channel calls in one action, and starts a new one after an idle gap', () => {
    const groups = groupByAction(exchangesOf(bffLogin()));
    expect(groups.map((group) => [group.number, group.label, group.events.length])).toEqual([
      [1, 'Sign in: the BFF starts the login', 5],
      [2, 'The app loads the notes', 2],
    ]);
  });
});

describe('deriveHoldings', () => {
  it('BFF pattern: the browser holds the session cookie (and saw the code and state), the BFF the tokens', () => {
    const holdings = deriveHoldings(exchangesOf(bffLogin()));
    expect(held(holdings, 'user-agent')).toEqual(['session-cookie']);
    const browserSaw = holdings.filter((holding) => holding.party === 'user-agent' && holding.state === 'spent').map((holding) => holding.artifact);
    expect(browserSaw.sort()).toEqual(['authorization-code', 'state']);
    expect(held(holdings, 'bff')).toEqual(['access-token', 'client-secret', 'id-token', 'refresh-token', 'session-cookie']);
    expect(held(holdings, 'resource-api')).toEqual(['access-token']);
  });

  it('public client (the anti-pattern): the token response reaches the browser itself', () => {
    const events = [
      exchange({
        from: 'user-agent',
        to: 'authserver',
        method: 'GET',
        url: `${AS}/auth?response_type=code&state=s…(43 chars)&code_challenge=abc`,
        status: 303,
      }),
      exchange({
        from: 'user-agent',
        to: 'authserver',
        method: 'POST',
        url: `${AS}/token`,
        requestHeaders: { origin: APP },
        requestBody: 'grant_type=authorization_code&code=c…(43 chars)&code_verifier=v…(43 chars)&client_id=spa',
        responseBody: '{"access_token":"eyJhbGciOi…(730 chars)","refresh_token":"r…(43 chars)","id_token":"eyJhbGciOi…(754 chars)"}',
      }),
    ];
    const holdings = deriveHoldings(exchangesOf(events));
    expect(held(holdings, 'user-agent')).toEqual(['access-token', 'id-token', 'refresh-token']);
    expect(holdings.find((holding) => holding.party === 'user-agent' && holding.artifact === 'pkce-verifier')?.how).toBe(
      'made it; its challenge is in GET /auth',
    );
    expect(held(holdings, 'bff')).toEqual(['client-secret']);
  });

  it('sign-out: the cookie is removed from the browser, the BFF drops the tokens', () => {
    const events = [
      ...bffLogin(),
      exchange(
        {
          from: 'user-agent',
          to: 'bff',
          method: 'POST',
          url: `${APP}/bff/logout`,
          requestHeaders: { 'x-csrf': '1' },
          responseHeaders: { 'set-cookie': 'bff_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly' },
          cookies: {
            sent: [],
            set: [
              { name: 'bff_session', value: '', attributes: ['Path=/', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'HttpOnly', 'SameSite=Lax'], removed: true },
            ],
          },
        },
        3000,
      ),
    ];
    const holdings = deriveHoldings(exchangesOf(events));
    expect(held(holdings, 'user-agent')).toEqual([]);
    expect(held(holdings, 'bff')).toEqual(['client-secret']);
  });
});
