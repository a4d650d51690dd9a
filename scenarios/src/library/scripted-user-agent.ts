import type { Party } from '@lab/shared';
import type { ScenarioContext } from '../engine/scenario.ts';
import { summarise, walkSignIn } from './sign-in-hops.ts';

/**
 * A user agent driven by plain HTTP, for the steps where what a real browser does is not the point:
 * it keeps cookies per host, follows redirects one hop at a time (each hop lands in the trace) and
 * fills the authorization server's login and consent forms. Mallory's own tools, or alice's browser
 * in a story about tokens rather than about the browser.
 */
export class ScriptedUserAgent {
  readonly #fetchAs: ScenarioContext['fetchAs'];
  readonly #as: Party;
  readonly #cookies = new Map<string, Map<string, string>>();

  constructor(fetchAs: ScenarioContext['fetchAs'], as: Party) {
    this.#fetchAs = fetchAs;
    this.#as = as;
  }

  /** One request with this agent's cookies; never follows a redirect. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('Cookie', cookie);
    const response = await this.#fetchAs(this.#as, url, { ...init, headers });
    this.#remember(url, response.headers.getSetCookie());
    return response;
  }

  /** A JSON call to the app as the SPA makes it: same origin, session cookie, `X-CSRF: 1`. */
  async callApp(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers = new Headers(init.headers);
    headers.set('X-CSRF', '1');
    if (init.body !== undefined) headers.set('Content-Type', 'application/json');
    const response = await this.request(url, { ...init, headers });
    return { status: response.status, body: await readJson(response) };
  }

  /** The `Cookie` header this agent sends to `url`'s host. */
  cookieHeader(url: string): string {
    const jar = this.#cookies.get(new URL(url).hostname);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  /**
   * From an authorization request to the redirect back to the client, signing in and consenting on
   * the way as `username` (`walkSignIn`). Returns the URL the authorization server redirected to,
   * *not* requested: the code in it is still unused.
   */
  signInAtAuthorizationServer(authorizeUrl: string, username: string, password = username): Promise<string> {
    return walkSignIn(
      async (url, form) => {
        const response = await this.request(url, form ? { method: 'POST', body: new URLSearchParams(form) } : {});
        return { status: response.status, location: response.headers.get('location') ?? undefined, text: () => response.text() };
      },
      authorizeUrl,
      username,
      { password },
    );
  }

  /**
   * Signs in to the app as the SPA's "Sign in" button does: `/bff/login`, the authorization
   * server's pages, and the redirect back to `/bff/callback`, delivered. Returns the callback's status.
   */
  async signInToApp(appOrigin: string, username: string, password = username): Promise<number> {
    const login = await this.request(`${appOrigin}/bff/login`);
    const location = login.headers.get('location');
    if (!location) throw new Error(`GET /bff/login answered ${login.status} without a redirect`);
    const callbackUrl = await this.signInAtAuthorizationServer(location, username, password);
    return (await this.request(callbackUrl)).status;
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

/** A response body as JSON, or `{ text }` when it is not JSON. */
export async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text: summarise(text) };
  }
}
