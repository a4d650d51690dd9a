import { randomBytes, randomUUID } from 'node:crypto';
import type { Party } from '@lab/shared';
import { runWithLinkFinder, type TraceRecorder } from '../../../src/index.ts';
import { sessionLinkOf } from '../../../src/xray/session-links.ts';

export const SESSION_KEYS = ['k'.repeat(32)] as const;
const APP = 'http://localhost:5173';
const AS = 'http://127.0.0.1:4000';
const API = 'http://127.0.0.1:4001';

export interface StoryRecorders {
  readonly bff: TraceRecorder;
  readonly authserver: TraceRecorder;
  readonly api: TraceRecorder;
}

export interface StoryUser {
  readonly sub: string;
  readonly name: string;
  readonly email: string;
  /** A note only this user owns: it must never reach another learner's X-ray. */
  readonly note: string;
}

/** The random values of one user's sign-in, as the real services make them. */
export interface SignInValues {
  readonly loginSessionId: string;
  readonly sessionId: string;
  readonly state: string;
  readonly code: string;
  readonly loginUid: string;
  readonly consentUid: string;
  readonly authserverSession: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export function newSignInValues(): SignInValues {
  const random = () => randomBytes(24).toString('base64url');
  return {
    loginSessionId: randomUUID(),
    sessionId: randomUUID(),
    state: random(),
    code: random(),
    loginUid: random(),
    consentUid: random(),
    authserverSession: random(),
    accessToken: `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ jti: random() })).toString('base64url')}.`,
    refreshToken: random(),
  };
}

/** An unsigned ID token with the user's claims (the recorder decodes them into the event's `jwts`). */
export function idTokenOf(user: StoryUser): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: user.sub, name: user.name, email: user.email })}.`;
}

interface Exchange {
  readonly method?: string;
  readonly url: string;
  readonly status?: number;
  readonly direction?: 'inbound' | 'outbound';
  readonly from?: Party;
  /** For an outbound call: whom it goes to. */
  readonly to?: Party;
  readonly requestHeaders?: Record<string, string>;
  readonly responseHeaders?: Record<string, string>;
  readonly requestBody?: string;
  readonly responseBody?: string;
}

/**
 * Records, in the three services' recorders, the exchanges of one user's sign-in through the BFF,
 * an API call and the sign-out, with the raw values the real services see. The BFF's exchanges
 * carry its session link keys as `serveXray` adds them (the ids of the cookie and of Set-Cookie).
 */
export function recordSignInStory(recorders: StoryRecorders, user: StoryUser, values: SignInValues = newSignInValues(), startedMsAgo = 3_000): SignInValues {
  let time = Date.now() - startedMsAgo;
  const record = (recorder: TraceRecorder, exchange: Exchange, sessionIds: string[] = []) => {
    time += 10;
    const to = recorder.service as Party;
    const direction = exchange.direction ?? 'inbound';
    runWithLinkFinder(
      () => sessionIds.map((id) => sessionLinkOf(id, SESSION_KEYS)),
      () =>
        recorder.record({
          time: new Date(time).toISOString(),
          direction,
          channel: exchange.from && exchange.from !== 'user-agent' ? 'back' : 'front',
          from: exchange.from ?? 'user-agent',
          to: exchange.to ?? to,
          method: exchange.method ?? 'GET',
          url: exchange.url,
          status: exchange.status ?? 200,
          durationMs: 5,
          requestHeaders: exchange.requestHeaders ?? {},
          responseHeaders: exchange.responseHeaders ?? {},
          requestBody: exchange.requestBody,
          responseBody: exchange.responseBody,
          correlationId: randomUUID().slice(0, 8),
        }),
    );
  };
  const v = values;
  const tokens = JSON.stringify({ access_token: v.accessToken, refresh_token: v.refreshToken, id_token: idTokenOf(user), token_type: 'Bearer' });
  const { bff, authserver, api } = recorders;

  record(
    bff,
    {
      url: `${APP}/bff/login?returnTo=/`,
      status: 302,
      responseHeaders: { location: `${AS}/auth?client_id=bff&state=${v.state}`, 'set-cookie': `bff_session=${v.loginSessionId}; path=/; httponly` },
    },
    [v.loginSessionId],
  );
  record(authserver, { url: `${AS}/auth?client_id=bff&state=${v.state}`, status: 303, responseHeaders: { location: `/interaction/${v.loginUid}` } });
  record(authserver, { url: `${AS}/interaction/${v.loginUid}` });
  record(authserver, {
    method: 'POST',
    url: `${AS}/interaction/${v.loginUid}/login`,
    status: 303,
    requestBody: `username=${user.sub}&password=${user.sub}`,
    responseHeaders: { location: `${AS}/auth/${v.loginUid}` },
  });
  record(authserver, {
    url: `${AS}/auth/${v.loginUid}`,
    status: 303,
    responseHeaders: {
      location: `/interaction/${v.consentUid}`,
      'set-cookie': `_session=${v.authserverSession}; path=/; expires=Thu, 01 Jan 2099 00:00:00 GMT; httponly, _session.sig=abc; path=/`,
    },
  });
  record(authserver, {
    method: 'POST',
    url: `${AS}/interaction/${v.consentUid}/confirm`,
    status: 303,
    requestHeaders: { cookie: `_session=${v.authserverSession}` },
    responseHeaders: { location: `${AS}/auth/${v.consentUid}` },
  });
  record(authserver, {
    url: `${AS}/auth/${v.consentUid}`,
    status: 303,
    requestHeaders: { cookie: `_session=${v.authserverSession}` },
    responseHeaders: { location: `${APP}/bff/callback?code=${v.code}&state=${v.state}&iss=${AS}` },
  });
  record(
    bff,
    {
      url: `${APP}/bff/callback?code=${v.code}&state=${v.state}`,
      status: 302,
      responseHeaders: { location: '/', 'set-cookie': `bff_session=${v.sessionId}; path=/; httponly` },
    },
    [v.loginSessionId, v.sessionId],
  );
  record(
    bff,
    {
      method: 'POST',
      url: `${AS}/token`,
      direction: 'outbound',
      from: 'bff',
      to: 'authserver',
      requestBody: `grant_type=authorization_code&code=${v.code}`,
      responseBody: tokens,
    },
    [v.loginSessionId],
  );
  record(authserver, {
    method: 'POST',
    url: `${AS}/token`,
    from: 'bff',
    requestBody: JSON.stringify({ grant_type: 'authorization_code', code: v.code }),
    responseBody: tokens,
  });
  record(bff, { url: `${APP}/bff/user`, responseBody: JSON.stringify({ claims: { sub: user.sub, name: user.name, email: user.email } }) }, [v.sessionId]);
  record(
    bff,
    {
      url: `${API}/notes`,
      direction: 'outbound',
      from: 'bff',
      to: 'resource-api',
      requestHeaders: { authorization: `Bearer ${v.accessToken}` },
      responseBody: JSON.stringify({ notes: [{ owner: user.sub, text: user.note }] }),
    },
    [v.sessionId],
  );
  record(api, {
    url: `${API}/notes`,
    from: 'bff',
    requestHeaders: { authorization: `Bearer ${v.accessToken}` },
    responseBody: JSON.stringify({ notes: [{ owner: user.sub, text: user.note }] }),
  });
  record(bff, { url: `${APP}/api/notes`, responseBody: JSON.stringify({ notes: [{ owner: user.sub, text: user.note }] }) }, [v.sessionId]);
  record(bff, { method: 'POST', url: `${APP}/bff/logout`, responseHeaders: { 'set-cookie': 'bff_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT' } }, [
    v.sessionId,
  ]);
  record(authserver, { method: 'POST', url: `${AS}/token/revocation`, from: 'bff', requestBody: `token=${v.refreshToken}&token_type_hint=refresh_token` });
  record(authserver, { url: `${AS}/session/end?client_id=bff`, requestHeaders: { cookie: `_session=${v.authserverSession}; _session.sig=abc` } });
  record(authserver, {
    method: 'POST',
    url: `${AS}/session/end/confirm`,
    status: 303,
    requestHeaders: { cookie: `_session=${v.authserverSession}` },
    responseHeaders: { location: `${APP}/`, 'set-cookie': '_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT' },
  });
  return v;
}

/** The paths of one story, in order: what a learner's X-ray must show of their own sign-in. */
export const STORY_PATHS = [
  'bff /bff/login',
  'authserver /auth',
  'authserver /interaction/…',
  'authserver /interaction/…/login',
  'authserver /auth/…',
  'authserver /interaction/…/confirm',
  'authserver /auth/…',
  'bff /bff/callback',
  'bff /token',
  'authserver /token',
  'bff /bff/user',
  'bff /notes',
  'resource-api /notes',
  'bff /api/notes',
  'bff /bff/logout',
  'authserver /token/revocation',
  'authserver /session/end',
  'authserver /session/end/confirm',
];

/** `service /path`, with interaction ids as `…`. */
export function describeEvent(event: { service: string; url: string }): string {
  const path = new URL(event.url).pathname.replace(/\/(interaction|auth)\/[A-Za-z0-9_-]{16,}/, '/$1/…');
  return `${event.service} ${path}`;
}
