import { createHash, randomBytes } from 'node:crypto';
import { HttpUserAgent, walkAuthorization } from '../http-sign-in.ts';
import { withSettings, type LabAccess } from './lab-client.ts';

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
    const back = new URL(await walkAuthorization(new HttpUserAgent(spa.url), authorize.toString(), username));
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
