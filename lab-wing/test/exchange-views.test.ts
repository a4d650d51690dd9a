import { describe, expect, it } from 'vitest';
import type { RawExchange } from '@lab/shared';
import { viewCookies, viewParams } from '../src/index.ts';

// The trace parses an exchange's cookies and URL parameters once, when the event is shown; the
// X-ray, the narration, the reports and "who holds what" read the parsed views.

function raw(fields: Partial<RawExchange>): RawExchange {
  return {
    time: new Date(0).toISOString(),
    direction: 'inbound',
    channel: 'front',
    from: 'user-agent',
    to: 'bff',
    method: 'GET',
    url: 'http://localhost:5173/bff/callback',
    durationMs: 1,
    requestHeaders: {},
    responseHeaders: {},
    correlationId: 'c',
    ...fields,
  };
}

describe('viewCookies', () => {
  it('reads each Set-Cookie header on its own (an Expires date holds a comma), marks a removal, and shortens values', () => {
    const exchange = raw({
      setCookies: [
        'bff_session=0123456789abcdef0123456789abcdef0123; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly',
        'bff_session.sig=xyz; path=/; max-age=0',
        'other=1; Path=/; Expires=Thu, 01 Jan 2037 18:00:00 GMT',
      ],
    });
    expect(viewCookies(exchange, false)?.set).toEqual([
      {
        name: 'bff_session',
        value: '012345…(36 chars)',
        attributes: ['Path=/', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'HttpOnly', 'SameSite=Lax'],
        removed: true,
      },
      { name: 'bff_session.sig', value: 'xyz', attributes: ['Path=/', 'Max-Age=0'], removed: true },
      { name: 'other', value: '1', attributes: ['Path=/', 'Expires=Thu, 01 Jan 2037 18:00:00 GMT'], removed: false },
    ]);
    expect(viewCookies(exchange, true)?.set[0]?.value).toBe('0123456789abcdef0123456789abcdef0123');
  });

  it('lists the cookies a request sent, values shortened', () => {
    const exchange = raw({ requestHeaders: { cookie: 'bff_session=0123456789abcdef; bff_session.sig=abc' } });
    expect(viewCookies(exchange, false)).toEqual({
      sent: [
        { name: 'bff_session', value: '012345…(16 chars)', attributes: [], removed: false },
        { name: 'bff_session.sig', value: 'abc', attributes: [], removed: false },
      ],
      set: [],
    });
  });

  it('has nothing to show for an exchange without cookies', () => {
    expect(viewCookies(raw({}), false)).toBeUndefined();
  });
});

describe('viewParams', () => {
  it('lists query and fragment parameters in order, decoded, and shortens secret ones', () => {
    const exchange = raw({
      url: 'http://localhost:5173/spa-callback?code=c0de-c0de-c0de-c0de&state=a+b#access_token=t&bad=%zz',
      responseHeaders: { location: 'http://localhost:4000/auth?client_id=bff&scope=openid%20notes%3Aread' },
    });
    expect(viewParams(exchange, false)).toEqual({
      url: [
        { name: 'code', value: 'c0de-c0de-…(19 chars)', where: 'query' },
        { name: 'state', value: 'a b', where: 'query' },
        { name: 'access_token', value: 't…(1 chars)', where: 'fragment' },
        { name: 'bad', value: '%zz', where: 'fragment' },
      ],
      location: [
        { name: 'client_id', value: 'bff', where: 'query' },
        { name: 'scope', value: 'openid notes:read', where: 'query' },
      ],
    });
    expect(viewParams(exchange, true)?.url[0]?.value).toBe('c0de-c0de-c0de-c0de');
  });
});
