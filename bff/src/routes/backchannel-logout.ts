import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { HttpError } from '@lab/kit';
import type { SessionTokens } from '../session-tokens.ts';
import { InvalidLogoutTokenError } from '../errors.ts';
import { verifyLogoutToken, type LogoutTokenDeps } from '../logout-token.ts';

/** A logout token is a few hundred bytes; nothing legitimate comes near this. */
const FORM_LIMIT = '16kb';

/**
 * `POST /bff/backchannel-logout`: the registered `backchannel_logout_uri` (OpenID Connect
 * Back-Channel Logout 1.0 §2.5). The authorization server posts `logout_token=<JWT>` here when the
 * user's session there ends (its own end-session page, another app's logout, an administrator);
 * every BFF session of that session ends, and its refresh tokens are revoked. Server to server: no
 * cookie and no `X-CSRF` is involved, and the signed token is the only credential.
 */
export function createBackchannelLogoutRoutes(tokens: SessionTokens, logoutToken: LogoutTokenDeps): Router {
  const router = new Router({ prefix: '/bff' });
  const parseForm = bodyParser({ enableTypes: ['form'], formLimit: FORM_LIMIT, encoding: 'utf-8' });

  router.post(
    '/backchannel-logout',
    async (ctx, next) => {
      // §2.5: "application/x-www-form-urlencoded"; anything else is refused before it is read.
      if (!ctx.is('application/x-www-form-urlencoded')) {
        throw new HttpError(415, 'unsupported_media_type', 'Send the logout token as application/x-www-form-urlencoded: logout_token=<JWT>.');
      }
      await next();
    },
    parseForm,
    async (ctx) => {
      // §2.8: the response must not be cached.
      ctx.set('Cache-Control', 'no-store');
      const token = (ctx.request.body as Record<string, unknown> | undefined)?.logout_token;
      if (typeof token !== 'string' || token === '') throw new InvalidLogoutTokenError('the request has no logout_token parameter (exactly one)');
      const { sid } = await verifyLogoutToken(token, logoutToken);
      const ended = await tokens.endAuthServerSession(sid);
      ctx.status = 200;
      ctx.body = { sessionsEnded: ended };
    },
  );

  return router;
}
