import type { Middleware } from 'koa';
import type { PooledRequest } from './pooled-request.ts';

/**
 * The one place where something outside a service may attach to it: a middleware in front of the
 * service's own (it sees each request and its final answer) and the clients the service calls
 * other parties with. A deployment passes nothing and gets the plain ones; the lab passes its
 * instruments (`@lab/wing`: the trace, the X-ray, the `/_lab` control routes).
 */
export interface ServiceHook {
  /** Runs outermost, before the service's own error handling. */
  readonly middleware?: Middleware;
  /**
   * For jose and oidc-provider (`customFetch`) in the authorization server and the API. Default: the
   * global `fetch`. The BFF sends all its calls over `request`.
   */
  readonly fetch?: typeof fetch;
  /** For the BFF's calls, the API proxy's and openid-client's. Default: `createPooledRequest()`. */
  readonly request?: PooledRequest;
}
