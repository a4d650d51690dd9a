import session from 'koa-session';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import type { HttpError } from '@lab/kit';
import { BFF_SESSION_COOKIE, type DefenceSwitches } from '@lab/shared';
import type { SessionStore } from './session-store.ts';
import { SessionLifetimes, type SessionEnding } from './session-lifetimes.ts';
import { NotAuthenticatedError, SessionExpiredError } from './errors.ts';

export const SESSION_COOKIE = BFF_SESSION_COOKIE;

/** One login in progress: what the BFF needs to check the callback, kept server-side only. */
export interface LoginAttempt {
  /** The redirect_uri of the authorization request (the token request must repeat it). */
  readonly redirectUri?: string;
  readonly codeVerifier?: string;
  readonly nonce?: string;
  readonly returnTo: string;
  readonly startedAt: number;
}

/** The tokens of a signed-in session. They never leave the BFF. */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Epoch milliseconds. */
  readonly accessTokenExpiresAt: number;
  /** How long the access token was issued for (`expires_in`), in milliseconds: sets the refresh margin. */
  readonly accessTokenLifetimeMs: number;
  readonly scope: string;
  /**
   * `token_type` of the token response, lower case (`dpop` or `bearer`): how the access token must be
   * presented to the API (RFC 9449 §5: a DPoP token goes with `Authorization: DPoP` and a proof).
   */
  readonly tokenType?: string;
  /** The authorization server's session the tokens came from (ID token `sid`): back-channel logout ends it here too. */
  readonly sid?: string;
}

export interface SessionUser {
  readonly sub: string;
  readonly name?: string;
  readonly preferred_username?: string;
  readonly email?: string;
}

/**
 * What the BFF keeps per browser session, in the server-side session store. The tokens of a
 * signed-in session are kept apart, by `sid`, in the token store (token-store.ts).
 */
export interface BffSession {
  /** Logins started from this browser and not finished yet, by `state`. */
  loginAttempts?: Record<string, LoginAttempt>;
  /** A stable id for the signed-in session: the key of its tokens, and of its single-flight refresh. */
  sid?: string;
  /** Epoch ms (the lab's time): the absolute lifetime counts from here (session-lifetimes.ts). */
  signedInAt?: number;
  /** Epoch ms: the session ends then unless a request comes first; each request moves it (at most once a minute). */
  idleExpiresAt?: number;
  user?: SessionUser;
}

type KoaSession = NonNullable<Context['session']>;

export function readSession(ctx: Context): BffSession & KoaSession {
  const current = ctx.session;
  if (!current) throw new Error('session middleware is not installed');
  return current as BffSession & KoaSession;
}

/** What loading this request's session found: a signed-in session that had ended by itself. */
interface EndedSession {
  readonly ending: SessionEnding;
  /** For people: "it was not used for 30 min". */
  readonly reason: string;
}

const ENDED = Symbol('ended BFF session');

/** Why this request's signed-in session ended by itself (idle or absolute timeout), if it did. */
export function endedSessionOf(ctx: Context): EndedSession | undefined {
  return (ctx.state as { [ENDED]?: EndedSession })[ENDED];
}

/**
 * The 401 for a request without a signed-in session: `session_expired` when the session it
 * presented ended by itself (and the answer clears the cookie), else `not_authenticated`.
 */
export function notSignedInError(ctx: Context): HttpError {
  const ended = endedSessionOf(ctx);
  if (!ended) return new NotAuthenticatedError();
  ctx.session = null;
  return new SessionExpiredError(ended.reason);
}

export interface SessionMiddlewareOptions {
  readonly store: SessionStore;
  readonly lifetimes: SessionLifetimes;
  readonly defences: DefenceSwitches;
  /** Ends the tokens of a session that ended by itself (deleted here, the refresh token revoked: RFC 7009). */
  readonly endTokens: (sid: string) => Promise<void>;
}

/**
 * The session cookie: an opaque id, HttpOnly, SameSite=Lax, Path=/, signed.
 * Lax, not Strict: the redirect back from the authorization server (another site) must carry it.
 * Secure is off because the lab runs on plain http on loopback; in production set `secure: true`.
 * The lab can weaken HttpOnly and SameSite at run time, so both variants are built once here.
 */
export function createSessionMiddleware(app: Koa, { store, lifetimes, defences, endTokens }: SessionMiddlewareOptions): Middleware {
  // One koa-session instance: a second one on the same app is ignored (it finds `ctx.session`
  // already defined on the app's context), so per-variant instances never take effect.
  const middleware = session(
    {
      key: SESSION_COOKIE,
      // What a session saved without a lifetime of its own gets; a signed-in one gets its absolute end (beforeSave).
      maxAge: lifetimes.idleMs,
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      // Neither: each would make the session live longer than its absolute lifetime (`renew`
      // restarts it in its second half). The idle deadline slides in `slideIdleDeadline` instead.
      rolling: false,
      renew: false,
      store: {
        // koa-session hands its store the request: a signed-in session found ended is ended here,
        // for good, on the lab's clock (the store's own TTL, Redis's included, is only the backstop).
        get: async (id: string, _maxAge: number, { ctx }: { ctx?: Context }) => {
          const record = await store.get(id);
          const ending = record && lifetimes.endingOf(record, Date.now());
          if (!record || !ending) return record;
          await store.destroy(id);
          await endTokens(record.sid as string);
          if (ctx) (ctx.state as { [ENDED]?: EndedSession })[ENDED] = { ending, reason: lifetimes.describe(ending) };
          return undefined;
        },
        set: (id: string, data: Record<string, unknown>, maxAge: number) => store.set(id, data, maxAge),
        destroy: (id: string) => store.destroy(id),
      },
      // Whatever made the save (a sign-in, a moved idle deadline): the record, its TTL and the
      // cookie's Expires end at the session's absolute end, never later.
      beforeSave: (ctx: Context, saved: Record<string, unknown>) => {
        const maxAge = SessionLifetimes.isSignedIn(saved) ? lifetimes.maxAgeAt(saved, Date.now()) : undefined;
        if (maxAge !== undefined) (ctx.sessionOptions as { maxAge?: number }).maxAge = maxAge;
      },
    },
    app,
  ) as Middleware;
  const slideIdleDeadline = (ctx: Context) => {
    const current = ctx.session as (BffSession & KoaSession) | null;
    // A request of a living session is activity: its idle deadline moves (at most once a minute).
    if (current && SessionLifetimes.isSignedIn(current)) lifetimes.slide(current, Date.now());
  };
  return (ctx, next) => {
    // koa-session copies its options into each request's session: this response's cookie attributes are set there.
    const options = ctx.sessionOptions as { httpOnly?: boolean; sameSite?: string; secure?: boolean };
    options.httpOnly = defences.isOn('cookie-httponly');
    // Weakened: SameSite=None, the cookie goes with every cross-site request.
    options.sameSite = defences.isOn('cookie-samesite') ? 'lax' : 'none';
    // SameSite=None is only accepted with Secure; Chromium accepts Secure cookies on http://localhost.
    options.secure = options.sameSite === 'none';
    // Koa refuses to set a Secure cookie on a request it believes is plain http.
    if (options.secure) ctx.cookies.secure = true;
    return middleware(ctx, () => {
      slideIdleDeadline(ctx);
      return next();
    });
  };
}
