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
  /** For openid-client and jose (`customFetch`). Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** For a hot path's calls (the BFF's API proxy). Default: `createPooledRequest()`. */
  readonly request?: PooledRequest;
}
