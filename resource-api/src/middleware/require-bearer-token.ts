import type { Middleware } from 'koa';
import { InvalidRequestError, InvalidTokenError, MissingTokenError } from '../errors.ts';
import type { VerifiedAccessToken } from '../verify-access-token.ts';
import type { ProvedRequest } from '../verify-dpop-proof.ts';

/** What a route behind `requireBearerToken` finds in `ctx.state`. */
export interface AuthState {
  auth: VerifiedAccessToken;
}

/** RFC 9110 §11.4: `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`; the scheme is a token. */
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s;
/** RFC 6750 §2.1 and RFC 9449 §7.1: the access token is one b64token (token68), nothing after it. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** DPoP at this API (RFC 9449), while the `dpop` defence is on. */
export interface DpopChecks {
  /** Read on every request: the lab switches the defence at run time. */
  isOn(): boolean;
  /** The proof algorithms accepted, for the `DPoP algs="…"` challenge. */
  readonly algorithms: readonly string[];
  verifyProof(proof: string, request: ProvedRequest, accessToken: string, boundTo: string): Promise<void>;
}

/**
 * Takes the access token from the `Authorization` header, verifies it, and puts the result on
 * `ctx.state.auth`. Two schemes: `Bearer` (RFC 6750 §2.1) and, while DPoP is on, `DPoP` with a
 * proof in the `DPoP` header (RFC 9449 §7.1). Every failure carries the challenge of RFC 6750 §3
 * (and RFC 9449 §7.1).
 *
 * A token bound to a key (`cnf.jkt`) is refused as Bearer: whoever holds a copy of it would
 * otherwise spend it without the key, and the binding would be worth nothing (RFC 9449 §7.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */
export function requireBearerToken(verify: (token: string) => Promise<VerifiedAccessToken>, dpop?: DpopChecks): Middleware<AuthState> {
  return async function requireBearerTokenMiddleware(ctx, next) {
    const dpopAlgs = dpop?.isOn() ? dpop.algorithms : undefined;
    // RFC 6750 §2.3 (token in the query string) is not supported, and a request trying it is
    // refused rather than treated as anonymous: URLs end up in logs, browser history and Referer
    // headers, which is why RFC 6750 §5.3 says not to put bearer tokens in page URLs.
    if (ctx.query.access_token !== undefined) {
      throw new InvalidRequestError('send the access token in the Authorization header, not in the URL (RFC 6750 section 2.3 is not supported here)');
    }
    const header = ctx.get('Authorization');
    if (header === '') throw new MissingTokenError({ dpopAlgs });
    const [, scheme = '', credentials = ''] = CREDENTIALS.exec(header) ?? [];
    const kind = scheme.toLowerCase() === 'bearer' ? 'Bearer' : scheme.toLowerCase() === 'dpop' && dpopAlgs ? 'DPoP' : undefined;
    // RFC 6750 §3.1: a scheme this API does not take is answered as no credentials at all (401, a bare challenge).
    if (scheme === '' && header.trim() !== '') {
      throw new InvalidRequestError('the Authorization header must be a scheme (Bearer), a space and one token (RFC 6750 section 2.1)');
    }
    if (!kind) throw new MissingTokenError({ dpopAlgs, scheme: scheme || header.slice(0, 20) });
    if (!TOKEN68.test(credentials)) {
      throw new InvalidRequestError(`the Authorization header must be the word ${kind}, a space and one token (RFC 6750 section 2.1)`);
    }

    let auth: VerifiedAccessToken;
    try {
      auth = await verify(credentials);
    } catch (error) {
      // Sent as DPoP, the refusal is a DPoP challenge (RFC 9449 §7.1).
      if (kind === 'DPoP' && error instanceof InvalidTokenError) throw new InvalidTokenError(error.message, { scheme: 'DPoP', dpopAlgs, cause: error });
      throw error;
    }
    const boundTo = dpopAlgs ? readJkt(auth) : undefined;
    if (kind === 'Bearer' && boundTo !== undefined) {
      throw new InvalidTokenError("this access token is bound to a key (cnf.jkt): send it as 'Authorization: DPoP <token>' with a DPoP proof of that key", {
        scheme: 'DPoP',
        dpopAlgs,
      });
    }
    if (kind === 'DPoP' && dpop) {
      if (boundTo === undefined) {
        throw new InvalidTokenError('this access token is not bound to a key (no cnf.jkt): it is a Bearer token', { scheme: 'DPoP', dpopAlgs });
      }
      await dpop.verifyProof(ctx.get('DPoP'), { method: ctx.method, path: ctx.path }, credentials, boundTo);
    }
    ctx.state.auth = auth;
    await next();
  };
}

/** RFC 9449 §6.1: the confirmation claim `cnf` with the JWK SHA-256 thumbprint `jkt` of the key the token is bound to. */
function readJkt({ claims }: VerifiedAccessToken): string | undefined {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  if (cnf === undefined || cnf === null || typeof cnf !== 'object') return undefined;
  return typeof cnf.jkt === 'string' ? cnf.jkt : '(malformed)';
}
