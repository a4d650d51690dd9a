import { createHash, randomBytes } from 'node:crypto';
import { HttpUserAgent } from '../http-sign-in.ts';
import { withSettings, type LabAccess } from './lab-client.ts';

/**
 * Walks through the authorization server's pages the way its forms do, for the situations the
 * docs' tables name that `signInOverHttp` does not make: a user who cancels, and a token for the
 * public client with fewer scopes than the BFF asks for.
 */

const MAX_HOPS = 12;

/**
 * From an authorization request to the redirect back to the client: follows redirects, signs in
 * as `username` on the login page and allows on the consent page, or, with `cancel`, presses
 * **Cancel** on the first page. Returns the URL the browser is sent to outside the issuer.
 */
export async function walkAuthorization(agent: HttpUserAgent, authorizeUrl: string, username: string, options: { cancel?: boolean } = {}): Promise<URL> {
  const issuer = new URL(authorizeUrl).origin;
  let url = authorizeUrl;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    if (new URL(url).origin !== issuer) return new URL(url);
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
    const form = options.cancel
      ? { path: `${interaction}/abort`, body: new URLSearchParams() }
      : page.includes('id="password"')
        ? { path: `${interaction}/login`, body: new URLSearchParams({ username, password: username }) }
        : { path: `${interaction}/confirm`, body: new URLSearchParams() };
    const posted = await agent.request(`${issuer}${form.path}`, { method: 'POST', body: form.body });
    await posted.arrayBuffer();
    const next = posted.headers.get('location');
    if (!next) throw new Error(`${form.path} answered ${posted.status} without a redirect`);
    url = new URL(next, url).toString();
  }
  throw new Error(`no redirect back to the client after ${MAX_HOPS} hops`);
}

/**
 * An access token for the notes API with only `scope`, from the anti-pattern's public client
 * `spa-public` (Authorization Code with PKCE, no secret), allowed at the authorization server for
 * the time it takes. The BFF always asks for both notes scopes, so this is how a token without one
 * comes about.
 */
export async function publicClientAccessToken(lab: LabAccess, username: string, scope: string): Promise<string> {
  const { authserver, spa } = lab.topology;
  const api = lab.topology['resource-api'].url;
  return withSettings(lab, authserver.url, { publicClient: true }, async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = `${spa.url}/spa-callback`;
    const authorize = new URL('/auth', authserver.url);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'spa-public',
      redirect_uri: redirectUri,
      scope: `openid ${scope}`,
      resource: api,
      state: randomBytes(16).toString('base64url'),
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const back = await walkAuthorization(new HttpUserAgent(spa.url), authorize.toString(), username);
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`the authorization server sent the public client back without a code (${back.searchParams.get('error')})`);
    const response = await fetch(`${authserver.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'spa-public',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        resource: api,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const tokens = (await response.json()) as { access_token?: string; error?: string };
    if (!tokens.access_token) throw new Error(`the token endpoint answered ${response.status} ${tokens.error ?? ''}`);
    return tokens.access_token;
  });
}
