import Router from '@koa/router';
import type { DefenceSwitches } from '@lab/shared';
import { notSignedInError, readSession } from '../session.ts';
import type { SessionTokens } from '../session-tokens.ts';
import type { SessionLifetimes } from '../session-lifetimes.ts';
import { NotAuthenticatedError } from '../errors.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';

/**
 * GET /bff/user: who is signed in, and facts about the session, as JSON. Never a token: the SPA
 * learns the user's claims, when the session began and when it ends, not what the BFF holds.
 * Without a session: 401 `not_authenticated`, or `session_expired` when the one presented ended by
 * itself (idle or absolute timeout).
 */
export function createSessionRoutes(defences: DefenceSwitches, tokens: SessionTokens, lifetimes: SessionLifetimes): Router {
  const router = new Router({ prefix: '/bff' });

  router.get('/user', requireCsrfHeader(defences), async (ctx) => {
    const session = readSession(ctx);
    const held = session.sid ? await tokens.current(session.sid) : undefined;
    if (!session.user) throw notSignedInError(ctx);
    if (!held) {
      // A session whose tokens are gone (ended by a failed refresh, or a back-channel logout) is no session.
      ctx.session = null;
      throw new NotAuthenticatedError();
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      claims: session.user,
      session: {
        signedInAt: new Date(session.signedInAt ?? 0).toISOString(),
        // When it ends unless used before (the idle timeout), and when it ends whatever (the absolute lifetime).
        idleExpiresAt: new Date(lifetimes.idleEndOf(session) ?? 0).toISOString(),
        absoluteExpiresAt: new Date(lifetimes.absoluteEndOf(session) ?? 0).toISOString(),
        accessTokenExpiresAt: new Date(held.accessTokenExpiresAt).toISOString(),
        scope: held.scope,
        refreshable: held.refreshToken !== undefined,
      },
    };
  });

  return router;
}
