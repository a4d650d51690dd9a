import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefenceSwitches } from '@lab/shared';
import { CookieJar, REDIRECT_URI, authorizationRequest, dpopProof, postToken } from './support/sign-in-over-http.ts';
import { startAuthServerAsIssuer, type IssuerAuthServer } from './support/start-authserver.ts';

// Prerequisites: the lab's real authorization server (oidc-provider, the lab's configuration) on a
// free port that is its issuer's; a test plays the BFF over HTTP: its authorization requests, its
// token requests with HTTP Basic and a DPoP proof, as bff/src/oidc-client.ts makes them.

let server: IssuerAuthServer;
beforeAll(async () => {
  server = await startAuthServerAsIssuer({ API_PORT: '4001' }, { defences: new DefenceSwitches() });
});
afterAll(() => server.stop());

/** alice signs in and consents for `scope`; returns the code and its verifier, not yet redeemed. */
async function codeFor(extra: Record<string, string>): Promise<{ code: string; codeVerifier: string }> {
  const jar = new CookieJar(server.url);
  const { query, codeVerifier } = authorizationRequest(extra);
  // An empty value means: leave the parameter out (no `resource`, as a client that names no API).
  for (const [name, value] of Object.entries(extra)) if (value === '') query.delete(name);
  const go = async (target: string, init: RequestInit = {}): Promise<string> => {
    const response = jar.keep(await fetch(new URL(target, server.url), { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } }));
    const location = response.headers.get('location');
    if (response.status !== 303 || location === null) throw new Error(`sign-in stopped at ${target}: ${response.status}`);
    return location;
  };
  const form = (body: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  const loginPage = await go(`/auth?${query}`);
  const consentPage = await go(await go(`${loginPage}/login`, form({ username: 'alice', password: 'alice' })));
  const callback = new URL(await go(await go(`${consentPage}/confirm`, form({}))));
  return { code: callback.searchParams.get('code') ?? '', codeVerifier };
}

describe('POST /token', () => {
  it('answers with Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)', async () => {
    const { code, codeVerifier } = await codeFor({});
    const response = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier }, server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
  });

  it('answers an error with Pragma: no-cache too (RFC 6749 §5.2)', async () => {
    const response = await postToken(
      { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT_URI, code_verifier: 'x'.repeat(43) },
      server.url,
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('refuses a token request of the bff client without a DPoP proof while the dpop defence is on (RFC 9449 §5.2)', async () => {
    const { code, codeVerifier } = await codeFor({});
    const response = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier }, server.url, {
      dpop: false,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'grant request is invalid' });
  });

  it('gives "openid profile" alone a token for the userinfo endpoint with that scope, not an API token with "scope": ""', async () => {
    const { code, codeVerifier } = await codeFor({ scope: 'openid profile', resource: '' });
    const response = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier }, server.url);
    const body = (await response.json()) as { scope?: string; token_type?: string; access_token?: string };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ scope: 'openid profile', token_type: 'DPoP' });
    // The advertised userinfo_endpoint works for it, with a proof of the same key (RFC 9449 §7).
    const userinfo = `${server.url}/me`;
    const me = await fetch(userinfo, { headers: { authorization: `DPoP ${body.access_token}`, dpop: await dpopProof('GET', userinfo, body.access_token) } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'alice', name: 'Alice Adams', preferred_username: 'alice' });
  });

  it('still gives a request for the notes scopes a token for the notes API (RFC 8707), with those scopes', async () => {
    const { code, codeVerifier } = await codeFor({ scope: 'openid profile notes:read', resource: '' });
    const response = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier }, server.url);
    const body = (await response.json()) as { scope?: string; access_token?: string };
    expect(body.scope).toBe('notes:read');
    const [, payload = ''] = (body.access_token ?? '').split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ aud: 'http://localhost:4001', scope: 'notes:read' });
  });
});
