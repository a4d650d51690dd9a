import type { LabTopology } from '@lab/shared';
import { type Dispatcher, request as requestThroughPool } from 'undici';
import { walkSignIn, type WalkOptions } from '../../scenarios/src/library/sign-in-hops.ts';
import { CookieJar } from './cookie-jar.ts';

const TIMEOUT_MS = 10_000;

export interface HttpUserAgentOptions {
  /** The most any one `fetch` may take: a hang fails the sign-in instead of blocking it. */
  readonly timeoutMs?: number;
  /**
   * A keep-alive pool, for load: the sign-in's steps then go through undici's `request` on it,
   * which costs the load generator a fraction of what `fetch` does (no WHATWG streams, no
   * `Headers` per request), so that the figure is the lab's, not the client's. The pool's own
   * timeouts bound them.
   */
  readonly dispatcher?: Dispatcher;
}

/** What one step of a sign-in answered, its body read. */
export interface SignInStep {
  readonly status: number;
  /** The `Location` header, made absolute, or undefined. */
  readonly location: string | undefined;
  readonly page: string;
}

/** A browser without a browser: one cookie jar, requests that never follow redirects by themselves. */
export class HttpUserAgent {
  readonly appOrigin: string;
  readonly jar = new CookieJar();
  /** Requests sent so far. */
  requests = 0;
  readonly #timeoutMs: number;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(appOrigin: string, options: HttpUserAgentOptions = {}) {
    this.appOrigin = appOrigin;
    this.#timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
    this.#dispatcher = options.dispatcher;
  }

  /** The `Cookie` header this agent sends to the app's origin (the BFF's session cookie). */
  appCookie(): string {
    return this.jar.headerFor(this.appOrigin);
  }

  /** One request with this agent's cookies, through `fetch`; redirects are returned, not followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.headerFor(url);
    if (cookie) headers.set('Cookie', cookie);
    this.requests += 1;
    const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: init.signal ?? AbortSignal.timeout(this.#timeoutMs) });
    this.jar.remember(url, response.headers.getSetCookie());
    return response;
  }

  /** One step of a sign-in: a GET, or a form POST when `form` is given; through the pool when the agent has one. */
  async step(url: string, form?: URLSearchParams): Promise<SignInStep> {
    if (!this.#dispatcher) {
      const response = await this.request(url, form ? { method: 'POST', body: form } : {});
      return { status: response.status, location: absolute(response.headers.get('location'), url), page: await response.text() };
    }
    const cookie = this.jar.headerFor(url);
    this.requests += 1;
    const response = await requestThroughPool(url, {
      dispatcher: this.#dispatcher,
      method: form ? 'POST' : 'GET',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form?.toString(),
    });
    const setCookie = response.headers['set-cookie'] ?? [];
    this.jar.remember(url, Array.isArray(setCookie) ? setCookie : [setCookie]);
    const location = response.headers.location;
    return { status: response.statusCode, location: absolute(typeof location === 'string' ? location : null, url), page: await response.body.text() };
  }
}

export interface SignInOptions {
  /** The password typed on the login page; a demo user's is their name. */
  readonly password?: string;
  /** The page of the app to come back to (`GET /bff/login?returnTo=…`). */
  readonly returnTo?: string;
}

/**
 * Signs in to the app as its "Sign in" button does, over plain HTTP: `GET /bff/login`, the
 * authorization server's login and consent forms, then the redirect back to `/bff/callback`.
 */
export async function signInOverHttp(
  topology: LabTopology,
  username: string,
  options: SignInOptions & Pick<HttpUserAgentOptions, 'dispatcher'> = {},
): Promise<{ agent: HttpUserAgent; callbackStatus: number }> {
  const agent = new HttpUserAgent(topology.spa.url, { dispatcher: options.dispatcher });
  return { agent, callbackStatus: await signIn(agent, username, options) };
}

/**
 * The same sign-in by an agent of one's own (which may be signed in at the authorization server
 * already: then `/auth` answers at once with a code, no form). Returns the callback's status.
 */
export async function signIn(agent: HttpUserAgent, username: string, options: SignInOptions = {}): Promise<number> {
  const callback = await agent.step(await walkToCallback(agent, username, options));
  if (callback.status >= 400) throw new Error(`the callback answered ${callback.status}`);
  return callback.status;
}

/**
 * The sign-in up to, not including, the redirect back to the app: returns the callback URL the
 * authorization server sent the browser to, its code still unused (for tests of what the
 * callback does when a party fails at that moment).
 */
export async function walkToCallback(agent: HttpUserAgent, username: string, options: SignInOptions = {}): Promise<string> {
  const login = await agent.step(`${agent.appOrigin}/bff/login${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`);
  if (!login.location) throw new Error(`GET /bff/login answered ${login.status} without a redirect`);
  return walkAuthorization(agent, login.location, username, options);
}

/**
 * Starts a login at the app and stops on the authorization server's login page, not requested:
 * returns the interaction's uid, live and bound to the agent's interaction cookie.
 */
export async function openLoginPage(agent: HttpUserAgent): Promise<string> {
  const login = await agent.step(`${agent.appOrigin}/bff/login`);
  const uid = login.location && interactionOf(await walkAuthorization(agent, login.location, '', { stopAtLoginPage: true }))?.uid;
  if (!uid) throw new Error("the login did not reach the authorization server's login page");
  return uid;
}

/**
 * From an authorization request to the redirect back to the client, as this agent (the scenarios'
 * `walkSignIn`: the login form as `username`, the consent form, each only if it comes; or with
 * `cancel`, **Cancel** on the first page). Returns the URL the browser is sent to outside the
 * issuer, not requested yet; with `stopAtLoginPage`, the first page's URL instead.
 */
export function walkAuthorization(agent: HttpUserAgent, authorizeUrl: string, username: string, options: WalkOptions = {}): Promise<string> {
  return walkSignIn(
    async (url, form) => {
      const answer = await agent.step(url, form ? new URLSearchParams(form) : undefined);
      return { status: answer.status, location: answer.location, text: async () => answer.page };
    },
    authorizeUrl,
    username,
    options,
  );
}

/** The authorization server's page for one interaction (`/interaction/<uid>`): its path and uid. */
function interactionOf(url: string): { path: string; uid: string } | undefined {
  const path = new URL(url).pathname;
  const uid = path.match(/^\/interaction\/([\w-]+)$/)?.[1];
  return uid ? { path, uid } : undefined;
}

function absolute(location: string | null, base: string): string | undefined {
  return location ? new URL(location, base).toString() : undefined;
}
