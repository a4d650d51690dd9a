import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { HttpError } from '@lab/kit';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from './config.ts';
import type { OidcClient } from './oidc-client.ts';
import type { LoginAttempts } from './login-attempts.ts';
import type { SessionTokens } from './session-tokens.ts';
import type { SessionLifetimes } from './session-lifetimes.ts';
import { readSession, type LoginAttempt } from './session.ts';
import { AuthServerTimeoutError, AuthServerUnavailableError, InvalidStateError, withStartAgain } from './errors.ts';

export interface LoginDeps {
  readonly config: BffConfig;
  readonly oidc: OidcClient;
  readonly defences: DefenceSwitches;
  readonly attempts: LoginAttempts;
  readonly tokens: SessionTokens;
  readonly lifetimes: SessionLifetimes;
}

/**
 * The end of a login, wherever the authorization response arrives (`GET /bff/callback`, or the
 * seed variant's `POST /bff/code`): find the login this browser started by its `state`, spend it,
 * redeem the code, and turn the session into a signed-in one with a new id. Returns `returnTo`.
 *
 * Every refusal carries `startAgain`, a fresh login that leads back where the user was going.
 * When the authorization server could not be reached at all, the attempt is given back: the
 * code was never redeemed, so reloading the callback tries again.
 */
export async function completeLogin(ctx: Context, deps: LoginDeps, response: URLSearchParams): Promise<string> {
  const { config, oidc, defences, attempts, tokens, lifetimes } = deps;
  const session = readSession(ctx);
  const state = response.get('state') ?? undefined;
  const found = await findAttempt(deps, session, state);
  const startAgain = `/bff/login?returnTo=${encodeURIComponent(found?.attempt.returnTo ?? '/')}`;
  if (!found) {
    throw withStartAgain(
      new InvalidStateError(
        state
          ? 'This callback does not belong to a login started in this browser (unknown, expired or already used state).'
          : 'The callback has no state parameter.',
      ),
      startAgain,
    );
  }
  const { key, attempt } = found;

  let result: Awaited<ReturnType<OidcClient['finishLogin']>>;
  try {
    // The redirect_uri of the token request must be the one of the authorization request.
    const callbackUrl = new URL(`${attempt.redirectUri ?? config.redirectUri}?${response}`);
    result = await oidc.finishLogin(callbackUrl, attempt, key);
  } catch (error) {
    // Nothing was redeemed that we know of when the authorization server could not be reached:
    // the attempt is given back and this browser may reload the callback. Otherwise it is spent.
    if (error instanceof AuthServerUnavailableError || error instanceof AuthServerTimeoutError) await attempts.release(key, attempt);
    else attempts.forget(session, key);
    throw error instanceof HttpError ? withStartAgain(error, startAgain) : error;
  }

  // Session fixation defence (OWASP): the signed-in session gets a new id; the old one is gone.
  if (defences.isOn('session-regeneration')) await session.regenerate();
  const signedIn = readSession(ctx);
  const sid = randomUUID();
  await tokens.start(sid, result.tokens, config.sessionTtlSeconds * 1000);
  signedIn.loginAttempts = undefined;
  signedIn.sid = sid;
  // Both lifetimes start now: the idle timeout and the absolute one (session-lifetimes.ts).
  Object.assign(signedIn, lifetimes.start(Date.now()));
  signedIn.user = result.user;
  signedIn.maxAge = lifetimes.absoluteMs;
  return attempt.returnTo;
}

async function findAttempt(
  { defences, attempts }: LoginDeps,
  session: ReturnType<typeof readSession>,
  state: string | undefined,
): Promise<{ key: string; attempt: LoginAttempt } | undefined> {
  if (defences.isOn('state')) {
    const attempt = attempts.find(session, state);
    // Two callbacks with one state at once (a replay racing the real one): only one gets it.
    if (!attempt || state === undefined || !(await attempts.claim(state))) return undefined;
    return { key: state, attempt };
  }
  // Weakened: take the newest login of this browser, or finish a login it never started.
  const newest = attempts.newest(session);
  if (newest) return { key: newest[0], attempt: newest[1] };
  return { key: state ?? 'none', attempt: { returnTo: '/', startedAt: Date.now() } };
}
