import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from './config.ts';
import type { OidcClient } from './oidc-client.ts';
import { readSession, type LoginAttempt } from './session.ts';
import { InvalidStateError } from './errors.ts';

/**
 * The end of a login, wherever the authorization response arrives (`GET /bff/callback`, or the
 * seed variant's `POST /bff/code`): find the login this browser started by its `state`, spend it,
 * redeem the code, and turn the session into a signed-in one with a new id. Returns `returnTo`.
 */
export async function completeLogin(
  ctx: Context,
  { config, oidc, defences }: { config: BffConfig; oidc: OidcClient; defences: DefenceSwitches },
  response: URLSearchParams,
): Promise<string> {
  const session = readSession(ctx);
  const attempts = session.loginAttempts ?? {};
  const state = response.get('state') ?? undefined;
  const attempt = findAttempt(attempts, state, defences.isOn('state'));
  if (!attempt) {
    throw new InvalidStateError(
      state
        ? 'This callback does not belong to a login started in this browser (unknown or already used state).'
        : 'The callback has no state parameter.',
    );
  }
  // One use only, whatever happens next: a replayed callback finds nothing.
  delete attempts[attempt.key];
  session.loginAttempts = attempts;

  // The redirect_uri of the token request must be the one of the authorization request.
  const callbackUrl = new URL(`${attempt.value.redirectUri ?? config.redirectUri}?${response}`);
  const { user, tokens } = await oidc.finishLogin(callbackUrl, attempt.value, attempt.key);

  // Session fixation defence (OWASP): the signed-in session gets a new id; the old one is gone.
  if (defences.isOn('session-regeneration')) await session.regenerate();
  const signedIn = readSession(ctx);
  signedIn.loginAttempts = undefined;
  signedIn.sid = randomUUID();
  signedIn.signedInAt = Date.now();
  signedIn.user = user;
  signedIn.tokens = tokens;
  signedIn.maxAge = config.sessionTtlSeconds * 1000;
  return attempt.value.returnTo;
}

function findAttempt(
  attempts: Record<string, LoginAttempt>,
  state: string | undefined,
  checkState: boolean,
): { key: string; value: LoginAttempt } | undefined {
  if (checkState) {
    if (state === undefined || !Object.hasOwn(attempts, state)) return undefined;
    return { key: state, value: attempts[state] as LoginAttempt };
  }
  // Weakened: take the newest login of this browser, or finish a login it never started.
  const newest = Object.entries<LoginAttempt>(attempts).sort(([, a], [, b]) => b.startedAt - a.startedAt)[0];
  if (newest) return { key: newest[0], value: newest[1] };
  return { key: state ?? 'none', value: { returnTo: '/', startedAt: Date.now() } };
}
