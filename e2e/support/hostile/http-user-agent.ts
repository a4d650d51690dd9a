/** The most hops a sign-in takes: authorize, login page, login, resume, consent, confirm, resume. */
const MAX_HOPS = 12;

/** What the BFF answered at the last step of a sign-in: `/bff/callback`, or `/bff/login` when it refused to start. */
export interface SignInAnswer {
  readonly step: 'login' | 'callback';
  readonly status: number;
  /** The `Location` header exactly as sent, or undefined. */
  readonly location: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** How many requests the sign-in took. */
  readonly requests: number;
}

/**
 * A user agent over plain HTTP, no browser: it keeps cookies per host name (as a browser does,
 * whatever the port), follows redirects one hop at a time, and fills the authorization server's
 * login and consent forms. Enough to sign in to the app through `/bff/login` for tests that need
 * many signed-in sessions or many logins.
 */
export class HttpUserAgent {
  readonly #cookies = new Map<string, Map<string, string>>();
  readonly #timeoutMs: number;
  /** Requests sent so far. */
  requests = 0;

  /** `timeoutMs`: the most any one request may take (a hang fails the sign-in instead of blocking it). */
  constructor(timeoutMs = 10_000) {
    this.#timeoutMs = timeoutMs;
  }

  /** One request with this agent's cookies; never follows a redirect. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('Cookie', cookie);
    this.requests += 1;
    const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: init.signal ?? AbortSignal.timeout(this.#timeoutMs) });
    this.#remember(url, response.headers.getSetCookie());
    return response;
  }

  /** The `Cookie` header this agent sends to `url`'s host. */
  cookieHeader(url: string): string {
    const jar = this.#cookies.get(new URL(url).hostname);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  /**
   * Signs in to the app as its "Sign in" button does: `GET /bff/login?returnTo=…`, the
   * authorization server's pages as `username`, then the redirect back to `/bff/callback`,
   * delivered. Returns the callback's answer (a redirect to `returnTo` when all went well), or
   * the login's when it did not redirect to the authorization server (a refused `returnTo`).
   */
  async signInToApp(appOrigin: string, username: string, options: { returnTo?: string; password?: string } = {}): Promise<SignInAnswer> {
    const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
    const login = await this.request(`${appOrigin}/bff/login${query}`);
    const authorizeUrl = login.headers.get('location');
    if (!authorizeUrl?.startsWith('http')) return this.#answer('login', login);
    await login.arrayBuffer();
    const callbackUrl = await this.signInAtAuthorizationServer(authorizeUrl, username, options.password ?? username);
    return this.#answer('callback', await this.request(callbackUrl));
  }

  async #answer(step: SignInAnswer['step'], response: Response): Promise<SignInAnswer> {
    return {
      step,
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      contentType: response.headers.get('content-type') ?? undefined,
      body: (await response.text()).slice(0, 2000),
      requests: this.requests,
    };
  }

  /**
   * From an authorization request to the redirect back to the client, signing in and consenting
   * on the way. Returns the URL the authorization server redirected to, not requested yet.
   */
  async signInAtAuthorizationServer(authorizeUrl: string, username: string, password: string): Promise<string> {
    const issuer = new URL(authorizeUrl).origin;
    let url = authorizeUrl;
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      if (new URL(url).origin !== issuer) return url;
      const response = await this.request(url);
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
        ? { path: `${interaction}/login`, body: new URLSearchParams({ username, password }) }
        : { path: `${interaction}/confirm`, body: new URLSearchParams() };
      const posted = await this.request(`${issuer}${form.path}`, { method: 'POST', body: form.body });
      await posted.arrayBuffer();
      const next = posted.headers.get('location');
      if (!next) throw new Error(`signing in as ${username} failed at ${form.path}: ${posted.status}`);
      url = new URL(next, url).toString();
    }
    throw new Error(`no redirect back to the client after ${MAX_HOPS} hops`);
  }

  /**
   * Starts a login and stops on the authorization server's login page: returns the interaction's
   * path (`/interaction/<uid>`), live and bound to this agent's interaction cookie.
   */
  async openLoginPage(appOrigin: string): Promise<string> {
    const login = await this.request(`${appOrigin}/bff/login`);
    await login.arrayBuffer();
    let url = login.headers.get('location') ?? '';
    for (let hop = 0; hop < MAX_HOPS && url; hop += 1) {
      const path = new URL(url).pathname;
      if (/^\/interaction\/[\w-]+$/.test(path)) return path;
      const response = await this.request(url);
      await response.arrayBuffer();
      const location = response.headers.get('location');
      url = location ? new URL(location, url).toString() : '';
    }
    throw new Error("the login did not reach the authorization server's login page");
  }

  #remember(url: string, setCookies: string[]): void {
    const host = new URL(url).hostname;
    const jar = this.#cookies.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const removed = value === '' || attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (removed) jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(host, jar);
  }
}
