import type { Context, Next } from 'koa';
import type { DefenceSwitches } from '@lab/shared';
import { CsrfHeaderMissingError } from '../errors.ts';

/**
 * CSRF defence for JSON endpoints: require `X-CSRF: 1`. A cross-site form, image or link cannot
 * add a custom header, and a cross-site `fetch` that adds one needs a CORS preflight that this
 * origin never approves. (The pattern of the Duende BFF and the OAuth browser-based apps draft.)
 */
export function requireCsrfHeader(defences: DefenceSwitches) {
  return async function csrfHeaderCheck(ctx: Context, next: Next): Promise<void> {
    if (defences.isOn('csrf-header') && ctx.get('X-CSRF') !== '1') throw new CsrfHeaderMissingError();
    await next();
  };
}
