import type { LabTopology } from '@lab/shared';

/** The most hops a sign-in takes: authorize, login page, login, resume, consent, confirm, resume. */
const MAX_HOPS = 12;
const TIMEOUT_MS = 10_000;

/** Cookies per host name, as a browser keeps them (whatever the port): enough for the lab's cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, Map<string, string>>();

  /** Stores (or, for an expired or empty value, removes) the cookies of `Set-Cookie` lines from `url`. */
  remember(url: string, setCookies: readonly string[]): void {
    const host = new URL(url).hostname;
    const jar = this.#cookies.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator < 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const removed = value === '' || attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (removed) jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(host, jar);
  }

  /** The `Cookie` header for a request to `url`. */
  headerFor(url: string): string {
    const jar = this.#cookies.get(new URL(url).hostname);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }
}

/** A browser without a browser: one cookie jar, requests that never follow redirects by themselves. */
export class HttpUserAgent {
  readonly appOrigin: string;
  readonly jar = new CookieJar();

  constructor(appOrigin: string) {
    this.appOrigin = appOrigin;
  }

  /** The `Cookie` header this agent sends to the app's origin (the BFF's session cookie). */
  appCookie(): string {
    return this.jar.headerFor(this.appOrigin);
  }

  /** One request with this agent's cookies; redirects are returned, not followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.headerFor(url);
    if (cookie) headers.set('Cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: init.signal ?? AbortSignal.timeout(TIMEOUT_MS) });
    this.jar.remember(url, response.headers.getSetCookie());
    return response;
  }
}

/**
 * Signs in to the app as its "Sign in" button does, over plain HTTP: `GET /bff/login`, the
 * authorization server's login and consent forms, then the redirect back to `/bff/callback`.
 */
export async function signInOverHttp(
  topology: LabTopology,
  username: string,
  options: { password?: string } = {},
): Promise<{ agent: HttpUserAgent; callbackStatus: number }> {
  const agent = new HttpUserAgent(topology.spa.url);
  const callbackUrl = await walkToCallback(agent, username, options);
  const callback = await agent.request(callbackUrl);
  await callback.arrayBuffer();
  if (callback.status >= 400) throw new Error(`the callback answered ${callback.status}`);
  return { agent, callbackStatus: callback.status };
}

/**
 * The sign-in up to, not including, the redirect back to the app: returns the callback URL the
 * authorization server sent the browser to, its code still unused (for tests of what the
 * callback does when a party fails at that moment).
 */
export async function walkToCallback(agent: HttpUserAgent, username: string, options: { password?: string; returnTo?: string } = {}): Promise<string> {
  const login = await agent.request(`${agent.appOrigin}/bff/login${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`);
  await login.arrayBuffer();
  const authorizeUrl = login.headers.get('location');
  if (!authorizeUrl) throw new Error(`GET /bff/login answered ${login.status} without a redirect`);
  const issuer = new URL(authorizeUrl).origin;
  let url = authorizeUrl;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    if (new URL(url).origin !== issuer) return url;
    const response = await agent.request(url);
    const location = response.headers.get('location');
    if (location) {
      await response.arrayBuffer();
      url = new URL(location, url).toString();
      continue;
    }
    const page = await response.text();
    const interaction = new URL(url).pathname.match(/^\/interaction\/[\w-]+$/)?.[0];
    if (!interaction || response.status !== 200) throw new Error(`the authorization server answered ${response.status} at ${new URL(url).pathname}`);
    const form = page.includes('id="password"')
      ? { path: `${interaction}/login`, body: new URLSearchParams({ username, password: options.password ?? username }) }
      : { path: `${interaction}/confirm`, body: new URLSearchParams() };
    const posted = await agent.request(`${issuer}${form.path}`, { method: 'POST', body: form.body });
    await posted.arrayBuffer();
    const next = posted.headers.get('location');
    if (!next) throw new Error(`signing in as ${username} failed at ${form.path}: ${posted.status}`);
    url = new URL(next, url).toString();
  }
  throw new Error(`no redirect back to the app after ${MAX_HOPS} hops`);
}
