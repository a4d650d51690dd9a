import session from 'koa-session';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { BFF_SESSION_COOKIE, type DefenceSwitches } from '@lab/shared';
import type { SessionStore } from './session-store.ts';

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
  signedInAt?: number;
  user?: SessionUser;
}

type KoaSession = NonNullable<Context['session']>;

export function readSession(ctx: Context): BffSession & KoaSession {
  const current = ctx.session;
  if (!current) throw new Error('session middleware is not installed');
  return current as BffSession & KoaSession;
}

/**
 * The session cookie: an opaque id, HttpOnly, SameSite=Lax, Path=/, signed.
 * Lax, not Strict: the redirect back from the authorization server (another site) must carry it.
 * Secure is off because the lab runs on plain http on loopback; in production set `secure: true`.
 * The lab can weaken HttpOnly and SameSite at run time, so both variants are built once here.
 */
export function createSessionMiddleware(app: Koa, store: SessionStore, ttlSeconds: number, defences: DefenceSwitches): Middleware {
  // One koa-session instance: a second one on the same app is ignored (it finds `ctx.session`
  // already defined on the app's context), so per-variant instances never take effect.
  const middleware = session(
    {
      key: SESSION_COOKIE,
      maxAge: ttlSeconds * 1000,
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      rolling: false,
      renew: true,
      store: {
        get: (id: string) => store.get(id),
        set: (id: string, data: Record<string, unknown>, maxAge: number) => store.set(id, data, maxAge),
        destroy: (id: string) => store.destroy(id),
      },
    },
    app,
  ) as Middleware;
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
    return middleware(ctx, next);
  };
}
