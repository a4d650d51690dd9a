import type { LabTopology } from '@lab/shared';
import { Agent, request } from 'undici';
import { CookieJar } from '../../e2e/support/http-sign-in.ts';

/** The most hops a sign-in takes: authorize, login page, login, resume, consent, confirm, resume. */
const MAX_HOPS = 12;

/**
 * One keep-alive pool per origin for every sign-in of the bench. undici's `request` costs the
 * load generator a fraction of what `fetch` does (no WHATWG streams, no `Headers` per request),
 * so that on two cores the figure is the lab's, not the client's.
 */
const dispatcher = new Agent({ keepAliveTimeout: 2_000, headersTimeout: 15_000, bodyTimeout: 15_000 });

/** A browser for the bench: a cookie jar and requests that never follow redirects by themselves. */
export class BenchBrowser {
  readonly appOrigin: string;
  readonly jar = new CookieJar();

  constructor(appOrigin: string) {
    this.appOrigin = appOrigin;
  }

  /** The `Cookie` header this browser sends to the app's origin (the BFF's session cookie). */
  appCookie(): string {
    return this.jar.headerFor(this.appOrigin);
  }

  async send(url: string, form?: URLSearchParams): Promise<{ status: number; location?: string; page: string }> {
    const cookie = this.jar.headerFor(url);
    const response = await request(url, {
      dispatcher,
      method: form ? 'POST' : 'GET',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form?.toString(),
    });
    const setCookie = response.headers['set-cookie'];
    this.jar.remember(url, setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]);
    const location = response.headers.location;
    const page = await response.body.text();
    return { status: response.statusCode, ...(typeof location === 'string' ? { location: new URL(location, url).toString() } : {}), page };
  }
}

/**
 * Signs in as the app's "Sign in" button does, over plain HTTP: `GET /bff/login`, the
 * authorization server's pages (login and consent forms, each answered as the user would, unless
 * the browser is signed in there already), and the redirect back to `/bff/callback`, where the
 * BFF redeems the code at the token endpoint. The same walk as e2e/support/http-sign-in.ts.
 */
export async function signIn(browser: BenchBrowser, username: string): Promise<void> {
  const login = await browser.send(`${browser.appOrigin}/bff/login`);
  if (!login.location) throw new Error(`GET /bff/login answered ${login.status} without a redirect`);
  const issuer = new URL(login.location).origin;
  let url = login.location;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    if (new URL(url).origin !== issuer) {
      const callback = await browser.send(url);
      if (callback.status >= 400) throw new Error(`the callback answered ${callback.status}`);
      return;
    }
    const answer = await browser.send(url);
    if (answer.location) {
      url = answer.location;
      continue;
    }
    const interaction = new URL(url).pathname.match(/^\/interaction\/[\w-]+$/)?.[0];
    if (!interaction || answer.status !== 200) throw new Error(`the authorization server answered ${answer.status} at ${new URL(url).pathname}`);
    const form = answer.page.includes('id="password"')
      ? { path: `${interaction}/login`, body: new URLSearchParams({ username, password: username }) }
      : { path: `${interaction}/confirm`, body: new URLSearchParams() };
    const posted = await browser.send(`${issuer}${form.path}`, form.body);
    if (!posted.location) throw new Error(`signing in as ${username} failed at ${form.path}: ${posted.status}`);
    url = posted.location;
  }
  throw new Error(`no redirect back to the app after ${MAX_HOPS} hops`);
}

/** A new browser (no cookie at all) signed in as `username`: a headless login. */
export async function signInNewBrowser(topology: LabTopology, username: string): Promise<BenchBrowser> {
  const browser = new BenchBrowser(topology.spa.url);
  await signIn(browser, username);
  return browser;
}

/**
 * One more sign-in to the app by someone already signed in at the authorization server (its
 * session cookie kept, consent given): a new browser session at the app (no BFF cookie),
 * `GET /bff/login`, `/auth` answering at once with a code (single sign-on: no login or consent
 * form), and the callback. Every session made this way is a whole BFF session with its own
 * tokens; only the forms are skipped.
 */
export async function signInAgain(topology: LabTopology, signedIn: BenchBrowser, username: string): Promise<BenchBrowser> {
  const issuer = topology.authserver.url;
  const browser = new BenchBrowser(signedIn.appOrigin);
  browser.jar.remember(issuer, signedIn.jar.headerFor(issuer).split('; '));
  await signIn(browser, username);
  return browser;
}

/** Closes the bench's connections (else they keep the process alive for a moment). */
export function closeBrowsers(): Promise<void> {
  return dispatcher.close();
}
