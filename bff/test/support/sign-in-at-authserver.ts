import { CookieJar } from '../../../authserver/test/support/sign-in-over-http.ts';

export { startAuthServerAsIssuer, type IssuerAuthServer } from '../../../authserver/test/support/start-authserver.ts';

/**
 * What the user does at the authorization server, over HTTP as a browser would: follow the
 * authorization request the BFF built, sign in on the login page, approve the consent page.
 * Returns where the authorization server sends the browser back: the redirect URI with `code`,
 * `state` and `iss` (RFC 6749 §4.1.2, RFC 9207), not yet visited.
 */
export async function signInAtAuthServer(authorizationUrl: string | URL, username: string, password = username): Promise<URL> {
  const start = new URL(authorizationUrl);
  const jar = new CookieJar(start.href);
  const go = async (target: string, init: RequestInit = {}): Promise<URL> => {
    const url = new URL(target, start);
    const response = jar.keep(await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } }));
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) throw new Error(`sign-in stopped at ${url.pathname}: ${response.status}`);
    return new URL(location, url);
  };
  const form = (body: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });

  const loginPage = await go(start.href);
  const resume = await go(`${loginPage.pathname}/login`, form({ username, password }));
  const consentPage = await go(resume.href);
  const resumeAgain = await go(`${consentPage.pathname}/confirm`, form({}));
  return go(resumeAgain.href);
}
