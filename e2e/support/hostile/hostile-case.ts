import type { RawRequest } from './raw-http.ts';

/** The services a hostile request is aimed at: the app's origin is `spa` (Vite, proxying `/bff/*`, `/api/*`). */
export type TargetName = 'spa' | 'bff' | 'resource-api' | 'authserver';

export const TARGETS: readonly TargetName[] = ['spa', 'bff', 'resource-api', 'authserver'];

/** The kinds of hostile input, each a test of its own. */
export type Category = 'percent-encoding' | 'paths' | 'methods' | 'json' | 'oversize' | 'credentials' | 'websocket' | 'framing' | 'return-to';

export interface CategoryInfo {
  readonly category: Category;
  readonly title: string;
  /** Its share of the run's requests. */
  readonly weight: number;
}

/**
 * In the order they run. Path and encoding tricks go last: a request that crashes a service takes
 * it away for every category after it, and the others should have had their say by then.
 */
export const CATEGORIES: readonly CategoryInfo[] = [
  { category: 'methods', title: 'odd methods and method overrides', weight: 9 },
  { category: 'json', title: 'bad JSON, deep nesting, odd content types and encodings', weight: 13 },
  { category: 'oversize', title: 'oversize bodies (up to 1 MB), headers, cookies and URLs', weight: 6 },
  { category: 'credentials', title: 'bad and forged cookies, cookie signatures and bearer tokens', weight: 13 },
  { category: 'websocket', title: 'WebSocket and other upgrade requests', weight: 6 },
  { category: 'framing', title: 'malformed HTTP framing: smuggling headers, bad chunks, bad request lines, no Host', weight: 6 },
  { category: 'return-to', title: 'returnTo open-redirect variants on /bff/login, some followed through a real sign-in', weight: 16 },
  { category: 'paths', title: 'path tricks: dot segments, encoded slashes and dots, backslashes, //host, absolute-form targets', weight: 13 },
  { category: 'percent-encoding', title: 'malformed percent-encodings in paths, queries, cookies, headers, forms and Basic credentials', weight: 18 },
];

/**
 * Values only known while the test runs, written into a case as `{{name}}` and filled in just
 * before it is sent: the cases (and any failure report) never contain a live secret.
 */
export type Placeholder =
  /** `bff_session=…; bff_session.sig=…`: a signed-in session at the BFF (as `bob`). */
  | 'session'
  | 'sessionId'
  | 'sessionSig'
  /** The session's access token, for direct calls to the resource API. */
  | 'bearer'
  /** The same token with its signature changed. */
  | 'bearerBadSignature'
  /** The same claims under `{"alg":"none"}` and no signature. */
  | 'bearerAlgNone'
  /** A live interaction at the authorization server (its login page), and the cookies bound to it. */
  | 'uid'
  | 'interactionCookies'
  /** The authorization server's cookies of a signed-in user (its `_session`). */
  | 'asSession'
  /** The lab's control key (read-only routes only: the suite never changes a setting). */
  | 'labKey';

/** One hostile request (or, for `signInReturnTo`, one whole sign-in), with what it is aimed at. */
export interface HostileCase {
  readonly category: Category;
  readonly target: TargetName;
  /** What is hostile about it, in a few words (the tally's and the failure report's label). */
  readonly label: string;
  readonly request: RawRequest;
  /**
   * Sign in as `bob` with this `returnTo` (sent percent-encoded, as a link would carry it), and
   * check where the callback sends the browser. `request` is then the first step, `/bff/login`.
   */
  readonly signInReturnTo?: string;
}
