import Router from '@koa/router';
import type { DefenceSwitches } from '@lab/shared';
import { readSession } from '../session.ts';
import { NotAuthenticatedError } from '../errors.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';

/**
 * GET /bff/user: who is signed in, and facts about the session, as JSON. Never a token: the SPA
 * learns the user's claims and when the session began, not what the BFF holds.
 */
export function createSessionRoutes(defences: DefenceSwitches): Router {
  const router = new Router({ prefix: '/bff' });

  router.get('/user', requireCsrfHeader(defences), (ctx) => {
    const session = readSession(ctx);
    if (!session.user || !session.tokens) throw new NotAuthenticatedError();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      claims: session.user,
      session: {
        signedInAt: new Date(session.signedInAt ?? 0).toISOString(),
        accessTokenExpiresAt: new Date(session.tokens.accessTokenExpiresAt).toISOString(),
        scope: session.tokens.scope,
        refreshable: session.tokens.refreshToken !== undefined,
      },
    };
  });

  return router;
}
