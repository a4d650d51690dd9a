import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { errors, type Provider } from 'oidc-provider';
import type { Context } from 'koa';
import { toHttpError } from '@lab/kit';
import { authenticateDemoUser } from '../accounts.ts';
import { renderLoginPage } from '../views/login-page.ts';
import { renderConsentPage } from '../views/consent-page.ts';

/**
 * The lab's own login and consent pages (oidc-provider's "interactions"). oidc-provider sends
 * the browser to `/interaction/:uid` whenever it needs the user: to sign in, then to consent.
 * The interaction is bound to this browser by oidc-provider's interaction cookie.
 */
export function createInteractionRoutes(provider: Provider): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  // Bodies are parsed here only: oidc-provider parses its own endpoints' bodies.
  const form = bodyParser({ enableTypes: ['form'], formLimit: '8kb' });

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await next();
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = renderLoginExpired();
        return;
      }
      // A client's mistake in the form (a body too large, one that does not match its
      // Content-Encoding, a step out of order): its 4xx, as JSON, never oidc-provider's 500.
      const refusal = toHttpError(error);
      if (refusal.status >= 500) throw error;
      ctx.status = refusal.status;
      ctx.body = { error: refusal.code, message: refusal.message };
    }
  });

  router.get('/', async (ctx) => {
    const { uid, prompt, params, session } = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(String(params.client_id));
    const clientName = client?.clientName ?? String(params.client_id);
    if (prompt.name === 'login') {
      ctx.type = 'html';
      ctx.body = renderLoginPage({ uid, clientName });
      return;
    }
    if (prompt.name === 'consent') {
      const details = prompt.details as {
        missingOIDCScope?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      ctx.type = 'html';
      ctx.body = renderConsentPage({
        uid,
        clientId: String(params.client_id),
        clientName,
        username: session?.accountId ?? '',
        oidcScopes: details.missingOIDCScope ?? [],
        resourceScopes: details.missingResourceScopes ?? {},
      });
      return;
    }
    ctx.throw(400, `unexpected prompt ${prompt.name}`);
  });

  router.post('/login', form, async (ctx) => {
    const { uid, prompt, params } = await provider.interactionDetails(ctx.req, ctx.res);
    assertPrompt(ctx, prompt.name, 'login');
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const username = typeof body?.username === 'string' ? body.username : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    const user = authenticateDemoUser(username, password);
    if (!user) {
      const client = await provider.Client.find(String(params.client_id));
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = renderLoginPage({
        uid,
        clientName: client?.clientName ?? String(params.client_id),
        username,
        error: 'Wrong username or password.',
      });
      return;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  });

  router.post('/confirm', form, async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    assertPrompt(ctx, details.prompt.name, 'consent');
    const accountId = details.session?.accountId;
    if (!accountId) ctx.throw(400, 'no signed-in user for this interaction');
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    if (details.grantId && !existing) ctx.throw(400, 'the grant of this interaction no longer exists');
    const grant = existing ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  });

  router.post('/abort', async (ctx) => {
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'The Resource Owner cancelled or denied the request.' },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}

function assertPrompt(ctx: Context, actual: string, expected: string): void {
  if (actual !== expected) ctx.throw(400, `this interaction is at the "${actual}" step, not "${expected}"`);
}

function renderLoginExpired(): string {
  return '<!doctype html><meta charset="utf-8"><title>Sign-in expired</title><p>This sign-in has expired or was already used. Go back to the app and sign in again.</p>';
}
