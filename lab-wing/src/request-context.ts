import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The link keys a service finds in the request it serves (see `runWithLinkFinder`), or a function
 * that computes them later: the recorder calls that only when the event is first read.
 */
export type LinkFinder = () => readonly string[] | (() => readonly string[]);

/** What the trace knows about the request being served, for everything recorded while it runs. */
interface RequestTraceContext {
  /** Ties the request to the back-channel calls it causes (`X-Correlation-Id`). */
  correlationId?: string;
  /** The service's own link keys (the BFF: its session id, under a keyed hash). */
  linkFinder?: LinkFinder;
}

// One store per request, set up once: on Node 20 each `AsyncLocalStorage#run` costs, and every
// promise the request makes carries the store along.
const context = new AsyncLocalStorage<RequestTraceContext>();

export function currentCorrelationId(): string | undefined {
  return context.getStore()?.correlationId;
}

export function currentLinkFinder(): LinkFinder | undefined {
  return context.getStore()?.linkFinder;
}

/** Runs `fn` with `correlationId` for what it records; joins the request's context when one is set up already. */
export function runWithCorrelation<T>(correlationId: string, fn: () => T): T {
  const store = context.getStore();
  if (store && store.correlationId === undefined) {
    store.correlationId = correlationId;
    return fn();
  }
  return context.run({ ...store, correlationId }, fn);
}

/**
 * Runs `fn` with `finder` adding link keys to every exchange recorded while it runs (the request it
 * serves and its back-channel calls). The finder reads its request, so it is dropped once `fn` has
 * settled: timers started meanwhile (`AbortSignal.timeout` of a back-channel call) keep the store
 * they were started in, and must not keep the whole request alive with it.
 */
export function runWithLinkFinder<T>(finder: LinkFinder, fn: () => T): T {
  const store: RequestTraceContext = { ...context.getStore(), linkFinder: finder };
  const forget = () => {
    store.linkFinder = undefined;
  };
  const result = context.run(store, fn);
  if (result instanceof Promise) return result.finally(forget) as T;
  forget();
  return result;
}
