import type { Context, Next } from 'koa';
import { AnonymousEntriesFull } from '../storage/anonymous-entries.ts';
import { renderErrorPage } from '../views/provider-pages.ts';

/**
 * oidc-provider answers most refusals of the storage itself (storage/send-retry-after.ts), but
 * one escapes its error handlers: a sign-out page's new anonymous Session is saved again after
 * the handler has answered, and Koa would then send the bare code as text. This answers that
 * one like the provider answers the others: 429, `Retry-After`, a page for a browser, JSON
 * (`error`, `error_description`) otherwise.
 */
export function answerStorageFull() {
  return async function storageFull(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof AnonymousEntriesFull)) throw error;
      const out = { error: error.error, error_description: error.error_description };
      ctx.status = error.status;
      ctx.set('Retry-After', String(error.retryAfterSeconds));
      if (ctx.accepts('json', 'html') === 'html') renderErrorPage(ctx, out, error);
      else ctx.body = out;
    }
  };
}
