import type { LabTopology } from '@lab/shared';
import { Agent } from 'undici';
import { HttpUserAgent, signIn, signInOverHttp } from '../../e2e/support/http-sign-in.ts';

/**
 * One keep-alive pool per origin for every sign-in of the bench: the agents send their steps
 * through undici's `request` on it (see `HttpUserAgentOptions.dispatcher`), not `fetch`, so that on
 * two cores the figure is the lab's, not the client's.
 */
const dispatcher = new Agent({ keepAliveTimeout: 2_000, headersTimeout: 15_000, bodyTimeout: 15_000 });

/**
 * A new browser (no cookie at all) signed in as `username`: a headless login, the whole way
 * (e2e/support/http-sign-in.ts): `GET /bff/login`, the authorization server's login and consent
 * forms, and the callback, where the BFF redeems the code at the token endpoint.
 */
export async function signInNewBrowser(topology: LabTopology, username: string): Promise<HttpUserAgent> {
  return (await signInOverHttp(topology, username, { dispatcher })).agent;
}

/**
 * One more sign-in to the app by someone already signed in at the authorization server (its
 * session cookie kept, consent given): a new browser session at the app (no BFF cookie),
 * `GET /bff/login`, `/auth` answering at once with a code (single sign-on: no login or consent
 * form), and the callback. Every session made this way is a whole BFF session with its own
 * tokens; only the forms are skipped.
 */
export async function signInAgain(topology: LabTopology, signedIn: HttpUserAgent, username: string): Promise<HttpUserAgent> {
  const browser = new HttpUserAgent(signedIn.appOrigin, { dispatcher });
  browser.jar.copyFrom(signedIn.jar, topology.authserver.url);
  await signIn(browser, username);
  return browser;
}

/** Closes the bench's connections (else they keep the process alive for a moment). */
export function closeBrowsers(): Promise<void> {
  return dispatcher.close();
}
