import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, HOLDERS, deriveHoldings, type ArtifactId, type Holding, type Party, type TraceEvent } from '@lab/shared';
import { TraceRecorder } from '../src/index.ts';

// "Who holds what" is the X-ray's table and the reports' summary: a learner reads from it where
// each secret of the flow went. The exchanges here are recorded by the real TraceRecorder from raw
// values (real lengths, real JWT shapes), so they are shortened and decoded exactly as in the lab.

const APP = 'http://localhost:5173';
const AS = 'http://127.0.0.1:4000';
const API = 'http://localhost:4001';
const ATTACKER = 'http://[::1]:6660';

const opaque = () => randomBytes(32).toString('base64url');
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signature = () => randomBytes(256).toString('base64url');
const accessToken = () =>
  `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${b64({ iss: AS, sub: 'alice', aud: API, client_id: 'bff', scope: 'notes:read notes:write', exp: 2e9, jti: opaque() })}.${signature()}`;
const idToken = () => `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ iss: AS, sub: 'alice', aud: 'bff', nonce: opaque(), exp: 2e9 })}.${signature()}`;

type Raw = Parameters<TraceRecorder['record']>[0];

/** Records exchanges as the services do; returns the trace as the X-ray receives it. */
function trace(...raws: Array<Partial<Raw> & Pick<Raw, 'from' | 'to' | 'method' | 'url'>>): TraceEvent[] {
  const recorder = new TraceRecorder('bff');
  let time = Date.parse('2026-01-01T10:00:00Z');
  for (const raw of raws) {
    time += 10;
    recorder.record({
      time: new Date(time).toISOString(),
      direction: 'inbound',
      channel: raw.from === 'user-agent' || raw.from === 'spa' ? 'front' : 'back',
      status: 200,
      durationMs: 3,
      requestHeaders: {},
      responseHeaders: {},
      correlationId: 'c',
      ...raw,
    });
  }
  return recorder.since();
}

/** The table as a learner reads it: each holder's artifacts with their state (`held`, `spent`, `gone`). */
function table(holdings: readonly Holding[]): Partial<Record<Party, Partial<Record<ArtifactId, Holding['state']>>>> {
  const rows: Partial<Record<Party, Partial<Record<ArtifactId, Holding['state']>>>> = {};
  for (const holding of holdings) rows[holding.party] = { ...rows[holding.party], [holding.artifact]: holding.state };
  return rows;
}

function howOf(holdings: readonly Holding[], party: Party, artifact: ArtifactId): string | undefined {
  return holdings.find((holding) => holding.party === party && holding.artifact === artifact)?.how;
}

/** One BFF sign-in, as the services record it: the values are the same along the flow, as in a real one. */
function bffSignIn() {
  const state = opaque();
  const code = opaque();
  const verifier = opaque();
  const cookie = opaque();
  const newCookie = opaque();
  const tokens = {
    access_token: accessToken(),
    refresh_token: opaque(),
    id_token: idToken(),
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'notes:read notes:write',
  };
  const events = [
    {
      from: 'user-agent',
      to: 'bff',
      method: 'GET',
      url: `${APP}/bff/login?returnTo=%2F`,
      status: 302,
      responseHeaders: {
        location: `${AS}/auth?client_id=bff&response_type=code&state=${state}&code_challenge=${opaque()}&code_challenge_method=S256`,
      },
      setCookies: [`bff_session=${cookie}; path=/; samesite=lax; httponly`],
    },
    {
      from: 'user-agent',
      to: 'authserver',
      method: 'GET',
      url: `${AS}/auth?client_id=bff&response_type=code&state=${state}&code_challenge=${opaque()}`,
      status: 303,
    },
    {
      from: 'user-agent',
      to: 'authserver',
      method: 'GET',
      url: `${AS}/auth/${opaque()}`,
      status: 303,
      responseHeaders: { location: `${APP}/bff/callback?code=${code}&state=${state}&iss=${encodeURIComponent(AS)}` },
    },
    {
      from: 'bff',
      to: 'authserver',
      method: 'POST',
      url: `${AS}/token`,
      channel: 'back',
      requestBody: `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(`${APP}/bff/callback`)}&code_verifier=${verifier}`,
      responseBody: JSON.stringify(tokens),
    },
    {
      from: 'user-agent',
      to: 'bff',
      method: 'GET',
      url: `${APP}/bff/callback?code=${code}&state=${state}&iss=${encodeURIComponent(AS)}`,
      status: 302,
      requestHeaders: { cookie: `bff_session=${cookie}` },
      responseHeaders: { location: '/' },
      setCookies: [`bff_session=${newCookie}; path=/; expires=Thu, 01 Jan 2026 18:00:00 GMT; samesite=lax; httponly`],
    },
    { from: 'user-agent', to: 'bff', method: 'GET', url: `${APP}/api/notes`, requestHeaders: { 'x-csrf': '1', cookie: `bff_session=${newCookie}` } },
    {
      from: 'bff',
      to: 'resource-api',
      method: 'GET',
      url: `${API}/notes`,
      channel: 'back',
      requestHeaders: { authorization: `Bearer ${tokens.access_token}` },
    },
  ] as const;
  return { events: events.map((event) => ({ ...event })), code, state, cookie: newCookie, tokens };
}

describe('deriveHoldings: the BFF pattern', () => {
  it('the browser ends with the session cookie only; code, state and verifier are spent; the tokens are in the BFF (and the access token at the API)', () => {
    const holdings = deriveHoldings(trace(...bffSignIn().events));
    expect(table(holdings)).toEqual({
      'user-agent': { 'session-cookie': 'held', state: 'spent', 'authorization-code': 'spent' },
      bff: {
        'client-secret': 'held',
        'session-cookie': 'held',
        state: 'spent',
        'pkce-verifier': 'spent',
        'authorization-code': 'spent',
        'access-token': 'held',
        'refresh-token': 'held',
        'id-token': 'held',
      },
      authserver: {
        'client-secret': 'held',
        state: 'spent',
        'pkce-verifier': 'spent',
        'authorization-code': 'spent',
        'access-token': 'held',
        'refresh-token': 'held',
        'id-token': 'held',
      },
      'resource-api': { 'access-token': 'held' },
    });
    // Only the challenge left the BFF: the first sighting of the verifier says so.
    expect(howOf(holdings, 'bff', 'pkce-verifier')).toBe('made it; only the challenge left (GET /bff/login)');
    // The browser carried the code in a redirect (long ids in paths are cut for the label).
    expect(howOf(holdings, 'user-agent', 'authorization-code')).toMatch(/^in the Location of GET \/auth\/[\w-]{6}…$/);
  });

  it('a code redemption the authorization server refuses (400 invalid_grant) spends nothing and hands out no token', () => {
    const { events } = bffSignIn();
    const refused = events
      .slice(0, 4)
      .map((event) =>
        event.url === `${AS}/token`
          ? { ...event, status: 400, responseBody: '{"error":"invalid_grant","error_description":"grant request is invalid"}' }
          : event,
      );
    expect(table(deriveHoldings(trace(...refused)))).toEqual({
      'user-agent': { 'session-cookie': 'held', state: 'held', 'authorization-code': 'held' },
      bff: { 'client-secret': 'held', 'session-cookie': 'held', state: 'held', 'pkce-verifier': 'held', 'authorization-code': 'held' },
      authserver: { 'client-secret': 'held', state: 'held', 'pkce-verifier': 'held', 'authorization-code': 'held' },
    });
  });

  it('sign-out ends the cookie in the browser and the tokens in the BFF; a new sign-in holds them again', () => {
    const first = bffSignIn();
    const logout = {
      from: 'user-agent',
      to: 'bff',
      method: 'POST',
      url: `${APP}/bff/logout`,
      requestHeaders: { 'x-csrf': '1', cookie: `bff_session=${first.cookie}` },
      setCookies: [
        'bff_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly',
        'bff_session.sig=abc; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly',
      ],
      responseBody: JSON.stringify({ signedOut: true, logoutUrl: `${AS}/session/end?client_id=bff` }),
    } as const;
    const signedOut = table(deriveHoldings(trace(...first.events, logout)));
    expect(signedOut['user-agent']).toEqual({ 'session-cookie': 'gone', state: 'spent', 'authorization-code': 'spent' });
    expect(signedOut.bff).toMatchObject({
      'session-cookie': 'gone',
      'access-token': 'gone',
      'refresh-token': 'gone',
      'id-token': 'gone',
      'client-secret': 'held',
    });

    const again = table(deriveHoldings(trace(...first.events, logout, ...bffSignIn().events.slice(0, 1))));
    expect(again['user-agent']?.['session-cookie']).toBe('held');
    expect(again.bff?.['session-cookie']).toBe('held');
  });

  it('a sign-out the BFF refuses (403, no X-CSRF) ends nothing', () => {
    const first = bffSignIn();
    const forged = {
      from: 'user-agent',
      to: 'bff',
      method: 'POST',
      url: `${APP}/bff/logout`,
      status: 403,
      responseBody: '{"error":"csrf_header_missing","message":"…"}',
    } as const;
    expect(table(deriveHoldings(trace(...first.events, forged)))).toEqual(table(deriveHoldings(trace(...first.events))));
  });
});

describe('deriveHoldings: the public client (the anti-pattern)', () => {
  it('the token response reaches the browser; its logout sends the ID token in the URL', () => {
    const id = idToken();
    const holdings = deriveHoldings(
      trace(
        {
          from: 'user-agent',
          to: 'authserver',
          method: 'GET',
          url: `${AS}/auth?client_id=spa-public&state=${opaque()}&code_challenge=${opaque()}`,
          status: 303,
        },
        {
          from: 'spa',
          to: 'authserver',
          method: 'POST',
          url: `${AS}/token`,
          requestHeaders: { origin: APP },
          requestBody: `grant_type=authorization_code&code=${opaque()}&code_verifier=${opaque()}&client_id=spa-public`,
          responseBody: JSON.stringify({ access_token: accessToken(), refresh_token: opaque(), id_token: id }),
        },
        {
          from: 'user-agent',
          to: 'authserver',
          method: 'GET',
          url: `${AS}/session/end?id_token_hint=${id}&post_logout_redirect_uri=${encodeURIComponent(`${APP}/`)}`,
          status: 200,
        },
      ),
    );
    // `spa` is the app's code in the browser: one holder with the User Agent. The redeemed code ends its login's state too.
    expect(table(holdings)['user-agent']).toEqual({
      state: 'spent',
      'pkce-verifier': 'spent',
      'authorization-code': 'spent',
      'access-token': 'held',
      'refresh-token': 'held',
      'id-token': 'held',
    });
    expect(howOf(holdings, 'user-agent', 'pkce-verifier')).toBe('made it; its challenge is in GET /auth');
    expect(table(holdings).bff).toEqual({ 'client-secret': 'held' });
  });
});

describe('deriveHoldings: what reaches the attacker', () => {
  it('an XSS that sends localStorage away (public client): she holds the access, ID and refresh tokens', () => {
    const stolen = {
      'lab.access_token': accessToken(),
      'lab.refresh_token': opaque(),
      'lab.id_token': idToken(),
      'lab.access_token_expires_at': '1767261600000',
      'lab.mode': 'public-client',
    };
    const holdings = deriveHoldings(
      trace({
        from: 'user-agent',
        to: 'attacker',
        method: 'POST',
        url: `${ATTACKER}/collect/steal-storage`,
        status: 204,
        requestHeaders: { 'content-type': 'text/plain' },
        requestBody: JSON.stringify({ cookie: '', localStorage: stolen, sessionStorage: {} }),
      }),
    );
    // The refresh token is opaque (no JWT): the most valuable of the three, and the one a learner must see stolen.
    expect(table(holdings).attacker).toEqual({ 'access-token': 'held', 'id-token': 'held', 'refresh-token': 'held' });
    expect(howOf(holdings, 'attacker', 'refresh-token')).toBe('stolen: POST /collect/steal-storage');
  });

  it('an XSS that redeems its own code and reports the token response: she holds every token of that response', () => {
    const report = {
      clientId: 'spa-public',
      code: opaque(),
      codeVerifier: opaque(),
      token: { status: 200, body: { access_token: accessToken(), refresh_token: opaque(), id_token: idToken() } },
    };
    const holdings = deriveHoldings(
      trace({
        from: 'user-agent',
        to: 'attacker',
        method: 'POST',
        url: `${ATTACKER}/collect/silent-authorize`,
        status: 204,
        requestBody: JSON.stringify(report),
      }),
    );
    expect(table(holdings).attacker).toMatchObject({ 'access-token': 'held', 'id-token': 'held', 'refresh-token': 'held' });
  });

  it('the session cookie read by a script (HttpOnly weakened) and sent away: she holds the session cookie', () => {
    const session = opaque();
    const events = trace({
      from: 'user-agent',
      to: 'attacker',
      method: 'POST',
      url: `${ATTACKER}/collect/steal-storage`,
      status: 204,
      requestBody: JSON.stringify({ cookie: `bff_session=${session}; bff_session.sig=${opaque()}`, localStorage: {}, sessionStorage: {} }),
    });
    expect(table(deriveHoldings(events)).attacker).toEqual({ 'session-cookie': 'held' });
    // The trace keeps the cookie's name and shortens its value, as for a Cookie header.
    expect(events[0]!.requestBody).toBe(
      `{"cookie":"bff_session=${session.slice(0, 6)}…(43 chars); bff_session.sig=${events[0]!.requestBody!.split('bff_session.sig=')[1]!.slice(0, 6)}…(43 chars)","localStorage":{},"sessionStorage":{}}`,
    );
    expect(events[0]!.requestBody).not.toContain(session);
  });

  it('nothing token-like sent to her (an empty storage): she holds nothing', () => {
    const holdings = deriveHoldings(
      trace({
        from: 'user-agent',
        to: 'attacker',
        method: 'POST',
        url: `${ATTACKER}/collect/steal-storage`,
        status: 204,
        requestBody: JSON.stringify({ cookie: '', localStorage: { 'lab.mode': 'bff' }, sessionStorage: {} }),
      }),
    );
    expect(table(holdings).attacker).toBeUndefined();
  });

  it('the callback URL in the Referer of her pixel (Referrer-Policy weakened): she holds the authorization code', () => {
    const { events, code } = bffSignIn();
    const pixel = {
      from: 'user-agent',
      to: 'attacker',
      method: 'GET',
      url: `${ATTACKER}/pixel.gif?from=callback`,
      requestHeaders: { referer: `${APP}/bff/callback?code=${code}&state=${opaque()}` },
    } as const;
    const holdings = deriveHoldings(trace(...events.slice(0, 3), pixel));
    expect(table(holdings).attacker).toEqual({ 'authorization-code': 'held' });
    expect(howOf(holdings, 'attacker', 'authorization-code')).toBe('in the Referer of GET /pixel.gif');
  });
});

describe('deriveHoldings: robustness and vocabulary', () => {
  it('never throws on malformed encodings, odd bodies or missing answers, and reports only the configured secret then', () => {
    const holdings = deriveHoldings(
      trace(
        { from: 'user-agent', to: 'bff', method: 'GET', url: `${APP}/bff/callback?code=%E0%A4%A&state=%zz`, status: 400 },
        { from: 'user-agent', to: 'bff', method: 'POST', url: `${APP}/api/notes`, requestBody: '[[[[', status: 400 },
        { from: 'bff', to: 'resource-api', method: 'GET', url: `${API}/notes`, status: undefined, error: 'ECONNREFUSED', direction: 'outbound' },
      ),
    );
    expect(table(holdings)).toMatchObject({ bff: { 'client-secret': 'held' }, authserver: { 'client-secret': 'held' } });
  });

  it('names every artifact and holder the table can show, once each', () => {
    expect(new Set(ARTIFACTS.map((artifact) => artifact.id)).size).toBe(9);
    expect(HOLDERS.map((holder) => holder.party)).toEqual(['user-agent', 'bff', 'authserver', 'resource-api', 'attacker']);
  });
});

describe('deriveHoldings: DPoP (RFC 9449)', () => {
  const proof = (htm: string, htu: string) =>
    `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: opaque(), y: opaque() } })}.${b64({ jti: opaque(), htm, htu, iat: 1e9, ath: opaque() })}.${opaque()}`;

  it("the BFF's proofs: the BFF alone holds the DPoP private key; the API holds the token, not the key; the proof shows decoded", () => {
    const token = accessToken();
    const events = trace({
      from: 'bff',
      to: 'resource-api',
      method: 'GET',
      url: `${API}/notes`,
      requestHeaders: { authorization: `DPoP ${token}`, dpop: proof('GET', `${API}/notes`) },
    });
    const rows = table(deriveHoldings(events));
    expect(rows.bff).toMatchObject({ 'dpop-key': 'held', 'access-token': 'held' });
    expect(rows['resource-api']).toEqual({ 'access-token': 'held' });
    expect(
      deriveHoldings(events)
        .filter((holding) => holding.artifact === 'dpop-key')
        .map((holding) => holding.party),
    ).toEqual(['bff']);
    // The X-ray decodes the proof (a JWT) like any token: its header carries the public key, its claims the request.
    const decoded = events[0]!.jwts?.find((jwt) => jwt.where === 'request header: dpop');
    expect(decoded?.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(decoded?.payload).toMatchObject({ htm: 'GET', htu: `${API}/notes` });
  });

  it("Mallory replaying a proof she saw: she holds the token she sent, never the BFF's key", () => {
    const events = trace({
      from: 'attacker',
      to: 'resource-api',
      method: 'GET',
      url: `${API}/notes`,
      status: 401,
      requestHeaders: { authorization: `DPoP ${accessToken()}`, dpop: proof('GET', `${API}/notes`) },
    });
    expect(table(deriveHoldings(events)).attacker).toEqual({ 'access-token': 'held' });
  });
});
