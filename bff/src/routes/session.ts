import Router from '@koa/router';
import type { DefenceSwitches } from '@lab/shared';
import { readSession } from '../session.ts';
import type { SessionTokens } from '../session-tokens.ts';
import { NotAuthenticatedError } from '../errors.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';

/**
 * GET /bff/user: who is signed in, and facts about the session, as JSON. Never a token: the SPA
 * learns the user's claims and when the session began, not what the BFF holds.
 */
export function createSessionRoutes(defences: DefenceSwitches, tokens: SessionTokens): Router {
  const router = new Router({ prefix: '/bff' });

  router.get('/user', requireCsrfHeader(defences), async (ctx) => {
    const session = readSession(ctx);
    const held = session.sid ? await tokens.current(session.sid) : undefined;
    if (!session.user || !held) {
      // A session whose tokens are gone (ended by a failed refresh, or expired) is no session.
      if (session.user) ctx.session = null;
      throw new NotAuthenticatedError();
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      claims: session.user,
      session: {
        signedInAt: new Date(session.signedInAt ?? 0).toISOString(),
        accessTokenExpiresAt: new Date(held.accessTokenExpiresAt).toISOString(),
        scope: held.scope,
        refreshable: held.refreshToken !== undefined,
      },
    };
  });

  return router;
}
