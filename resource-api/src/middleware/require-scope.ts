import type { Middleware } from 'koa';
import { InsufficientScopeError } from '../errors.ts';
import type { AuthState } from './require-bearer-token.ts';

/**
 * Lets the request through only if the access token was granted `scope`. Goes after
 * `requireBearerToken`: the token is already known to be valid, so a missing scope is a 403
 * `insufficient_scope` naming the scope to ask for, not a 401 (RFC 6750 §3.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function requireScope(scope: string): Middleware<AuthState> {
  return async function requireScopeMiddleware(ctx, next) {
    if (!ctx.state.auth.scopes.has(scope)) throw new InsufficientScopeError(scope);
    await next();
  };
}
