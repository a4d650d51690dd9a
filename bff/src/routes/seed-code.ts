import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { HttpError } from '@lab/kit';
import type { FlowSetting } from '../flow-setting.ts';
import { completeLogin, type LoginDeps } from '../complete-login.ts';
import { requireCsrfHeader } from '../middleware/require-csrf-header.ts';

/**
 * POST /bff/code `{ code, state, iss }`: the seed text's variant. The authorization server sent
 * the browser to the SPA's `/callback`; the page's script hands the code to the BFF, which checks
 * state and iss and redeems it with its client secret and PKCE verifier, exactly as /bff/callback
 * does. What differs: the code passed through page scripts (and any script on that page).
 * The route exists only while the lab runs the seed flow.
 */
export function createSeedCodeRoutes(deps: LoginDeps, flow: FlowSetting): Router {
  const { defences } = deps;
  const router = new Router({ prefix: '/bff' });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '4kb' });

  router.post('/code', async (ctx, next) => {
    if (flow.current !== 'seed') return next();
    await requireCsrfHeader(defences)(ctx, async () => {
      await json(ctx, async () => {
        const body = (ctx.request.body ?? {}) as Record<string, unknown>;
        const response = new URLSearchParams();
        for (const name of ['code', 'state', 'iss', 'error', 'error_description']) {
          const value = body[name];
          if (value === undefined) continue;
          if (typeof value !== 'string') throw new HttpError(400, 'invalid_request', `${name} must be a string.`);
          response.set(name, value);
        }
        if (!response.has('code') && !response.has('error'))
          throw new HttpError(400, 'invalid_request', 'The body needs the code (and state, iss) from the callback URL.');
        const returnTo = await completeLogin(ctx, deps, response);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { signedIn: true, returnTo };
      });
    });
    return undefined;
  });

  return router;
}
