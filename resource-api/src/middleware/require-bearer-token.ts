import type { Middleware } from 'koa';
import { InvalidRequestError, MissingTokenError } from '../errors.ts';
import type { VerifiedAccessToken } from '../verify-access-token.ts';

/** What a route behind `requireBearerToken` finds in `ctx.state`. */
export interface AuthState {
  auth: VerifiedAccessToken;
}

/**
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`. The scheme name is case-insensitive
 * (RFC 9110 §11.1); the token is one b64token, nothing after it.
 */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Takes the access token from the `Authorization` header, verifies it, and puts the result on
 * `ctx.state.auth`. Every failure carries the `WWW-Authenticate` challenge of RFC 6750 §3.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function requireBearerToken(verify: (token: string) => Promise<VerifiedAccessToken>): Middleware<AuthState> {
  return async function requireBearerTokenMiddleware(ctx, next) {
    // RFC 6750 §2.3 (token in the query string) is not supported, and a request trying it is
    // refused rather than treated as anonymous: URLs end up in logs, browser history and Referer
    // headers, which is why RFC 6750 §5.3 says not to put bearer tokens in page URLs.
    if (ctx.query.access_token !== undefined) {
      throw new InvalidRequestError('send the access token in the Authorization header, not in the URL (RFC 6750 section 2.3 is not supported here)');
    }
    const header = ctx.get('Authorization');
    if (header === '') throw new MissingTokenError();
    const match = BEARER_CREDENTIALS.exec(header);
    if (!match?.[1]) {
      throw new InvalidRequestError('the Authorization header must be the word Bearer, a space and one token (RFC 6750 section 2.1)');
    }
    ctx.state.auth = await verify(match[1]);
    await next();
  };
}
