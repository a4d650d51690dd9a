import type { TraceEvent } from '@lab/shared';

export const APP = 'http://localhost:5173';
const AS = 'http://127.0.0.1:4000';

let clock = Date.parse('2026-01-01T10:00:00.000Z');
let seq = 0;

/** A recorded exchange, as the services write them (secrets already shortened). */
export function exchange(partial: Partial<TraceEvent> & Pick<TraceEvent, 'from' | 'to' | 'method' | 'url'>, gapMs = 10): TraceEvent {
  clock += gapMs;
  seq += 1;
  return {
    id: `e${seq}`,
    seq,
    time: new Date(clock).toISOString(),
    service: partial.to as TraceEvent['service'],
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

/** Sign-in through the BFF, as the trace shows it. */
export function bffSignIn(): TraceEvent[] {
  return [
    exchange({ from: 'user-agent', to: 'bff', method: 'GET', url: `${APP}/bff/user`, status: 401, requestHeaders: { 'x-csrf': '1' } }),
    exchange({ from: 'user-agent', to: 'bff', method: 'GET', url: `${APP}/bff/login?returnTo=%2F`, status: 302 }, 3000),
    exchange({ from: 'user-agent', to: 'authserver', method: 'GET', url: `${AS}/auth?response_type=code&state=st4te…(43 chars)`, status: 303 }),
    exchange({ from: 'user-agent', to: 'authserver', method: 'POST', url: `${AS}/interaction/Xk2mPq8rT5vW9yB3nC6dF/login`, status: 303 }),
    exchange({ from: 'user-agent', to: 'authserver', method: 'POST', url: `${AS}/interaction/Lm4nOp7qRs1tUv5wXy9zA/confirm`, status: 303 }),
    exchange({
      from: 'user-agent',
      to: 'bff',
      method: 'GET',
      url: `${APP}/bff/callback?code=c0de…(43 chars)&state=st4te…(43 chars)`,
      status: 302,
      correlationId: 'cb',
    }),
    exchange({
      from: 'bff',
      to: 'authserver',
      method: 'POST',
      url: `${AS}/token`,
      correlationId: 'cb',
      requestHeaders: { authorization: 'Basic base64(bff:A1L_…(43 chars))' },
      responseBody: '{"access_token":"eyJhbGciOi…(730 chars)","id_token":"eyJhbGciOi…(754 chars)"}',
      jwts: [{ where: 'response body: id_token', header: { alg: 'RS256' }, payload: { sub: 'alice', exp: 1_900_000_000 }, signature: 'verified' }],
    }),
    exchange({ from: 'user-agent', to: 'bff', method: 'GET', url: `${APP}/api/notes`, requestHeaders: { 'x-csrf': '1' }, correlationId: 'notes' }, 3000),
    exchange({
      from: 'bff',
      to: 'resource-api',
      method: 'GET',
      url: 'http://127.0.0.1:4001/notes',
      correlationId: 'notes',
      requestHeaders: { authorization: 'Bearer eyJhbGciOi…(730 chars)' },
    }),
  ];
}
