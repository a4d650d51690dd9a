import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefenceSwitches, type DefenceName } from '@lab/shared';
import { OidcClient, AUTHSERVER_TIMEOUT_SECONDS } from '../src/oidc-client.ts';
import { loadConfig, type BffConfig } from '../src/config.ts';
import type { LoginAttempt, StoredTokens } from '../src/session.ts';
import { AuthServerTimeoutError, AuthServerUnavailableError, InvalidIssuerError, InvalidStateError, LoginRejectedError, OAuthError } from '../src/errors.ts';
import { signInAtAuthServer, startAuthServerAsIssuer, type IssuerAuthServer } from './support/sign-in-at-authserver.ts';
import { startFrozenServer } from './support/frozen-server.ts';

// Prerequisites: the lab's real authorization server (oidc-provider, the lab's configuration: PKCE
// required, refresh tokens rotated, revocation on) on a free port that is also its issuer's, and the
// BFF's OpenID Connect client configured for it as the lab configures it. Nothing is stubbed: each
// test says what openid-client and oidc-provider do together, and what error the BFF makes of it.
let authserver: IssuerAuthServer;
beforeAll(async () => {
  authserver = await startAuthServerAsIssuer();
});
afterAll(async () => {
  await authserver?.stop();
});

function bffConfig(env: Record<string, string> = authserver.env): BffConfig {
  return loadConfig({ BFF_SESSION_KEYS: 'k'.repeat(32), ...env });
}

function oidcClient(weakened: DefenceName[] = [], config = bffConfig()): OidcClient {
  return new OidcClient(config, new DefenceSwitches(weakened));
}

/** Steps 1 and 2: the BFF starts a login; alice signs in and consents; the callback URL comes back, not yet visited. */
async function loginUpToCallback(client: OidcClient, username = 'alice') {
  const config = bffConfig();
  const started = await client.startLogin('/notes', config.redirectUri);
  const callbackUrl = await signInAtAuthServer(started.url, username);
  return { ...started, callbackUrl };
}

/** The error a promise rejects with (the test then checks its class and wire fields). */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure, and the call succeeded');
}

describe('OidcClient.startLogin (RFC 6749 §4.1.1, RFC 7636, RFC 8707)', () => {
  it('builds the authorization request with a fresh state, nonce and S256 challenge; only the challenge leaves the BFF', async () => {
    const config = bffConfig();
    const { url, state, attempt } = await oidcClient().startLogin('/notes', config.redirectUri);
    expect(`${url.origin}${url.pathname}`).toBe(`${authserver.url}/auth`);
    const query = Object.fromEntries(url.searchParams);
    expect(query).toEqual({
      client_id: 'bff',
      response_type: 'code',
      redirect_uri: 'http://localhost:5173/bff/callback',
      scope: 'openid profile email notes:read notes:write',
      resource: 'http://localhost:4001',
      state,
      nonce: attempt.nonce,
      code_challenge: createHash('sha256').update(attempt.codeVerifier!).digest('base64url'),
      code_challenge_method: 'S256',
    });
    expect(url.href).not.toContain(attempt.codeVerifier!);
    expect(attempt).toEqual({
      redirectUri: config.redirectUri,
      returnTo: '/notes',
      startedAt: expect.any(Number),
      codeVerifier: expect.any(String),
      nonce: expect.any(String),
    });
    // A new attempt, new values: nothing is reused from one login to the next.
    const again = await oidcClient().startLogin('/notes', config.redirectUri);
    expect([again.state, again.attempt.nonce, again.attempt.codeVerifier]).not.toContain(state);
    expect(again.attempt.codeVerifier).not.toBe(attempt.codeVerifier);
  });

  it('leaves out state, nonce and PKCE when those defences are weakened (the authorization server still takes the request)', async () => {
    const { url, attempt } = await oidcClient(['state', 'nonce', 'pkce']).startLogin('/', bffConfig().redirectUri);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'redirect_uri', 'resource', 'response_type', 'scope']);
    expect(attempt.codeVerifier).toBeUndefined();
    expect(attempt.nonce).toBeUndefined();
  });

  it('answers 503 AuthServerUnavailableError when nothing listens at the issuer, and tries discovery again next time', async () => {
    const down = await startAuthServerAsIssuer();
    await down.goDown();
    const client = oidcClient([], bffConfig(down.env));
    const error = await failureOf(client.startLogin('/', 'http://localhost:5173/bff/callback'));
    expect(error).toBeInstanceOf(AuthServerUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'authserver_unavailable' });
    // Back up: the same client discovers it now (a failed discovery is not remembered).
    await down.comeBack();
    const { url } = await client.startLogin('/', 'http://localhost:5173/bff/callback');
    expect(url.origin).toBe(down.url);
    await down.stop();
  });

  it(`answers 504 AuthServerTimeoutError within about ${AUTHSERVER_TIMEOUT_SECONDS} s when the authorization server accepts and never answers`, async () => {
    const frozen = await startFrozenServer();
    try {
      const client = oidcClient([], bffConfig({ ...authserver.env, AUTHSERVER_PORT: String(frozen.port) }));
      const startedAt = Date.now();
      const error = await failureOf(client.startLogin('/', 'http://localhost:5173/bff/callback'));
      const elapsed = Date.now() - startedAt;
      expect(error).toBeInstanceOf(AuthServerTimeoutError);
      expect(error).toMatchObject({ status: 504, code: 'authserver_timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(AUTHSERVER_TIMEOUT_SECONDS * 1000 - 100);
      expect(elapsed).toBeLessThan(AUTHSERVER_TIMEOUT_SECONDS * 1000 + 2_000);
    } finally {
      await frozen.close();
    }
  });
});

describe('OidcClient.finishLogin (RFC 6749 §4.1.2–4.1.4, RFC 9207, OpenID Connect Core §3.1.3.7)', () => {
  it('redeems the code of a real login: the user from the ID token, and the tokens for the notes API', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    expect([...callbackUrl.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);
    const before = Date.now();
    const { user, tokens } = await client.finishLogin(callbackUrl, attempt, state);
    const after = Date.now();
    expect(user).toEqual({ sub: 'alice', name: 'Alice Adams', preferred_username: 'alice', email: 'alice@example.test' });
    expect(tokens).toEqual({
      accessToken: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.any(String),
      idToken: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      accessTokenLifetimeMs: expect.any(Number),
      accessTokenExpiresAt: expect.any(Number),
      // The token response's scope is the access token's (RFC 6749 §5.1): the notes API's scopes.
      scope: 'notes:read notes:write',
      // RFC 9449 §5: the token is DPoP-bound (the dpop defence is on), presented with a proof.
      tokenType: 'dpop',
      // The authorization server's session, from the ID token (for back-channel logout).
      sid: expect.stringMatching(/^[\w-]{10,}$/),
    });
    // expires_in is 300, or 299 when the token was issued across a second boundary (oidc-provider counts from exp).
    expect([299_000, 300_000]).toContain(tokens.accessTokenLifetimeMs);
    // 300 s from when the answer came (expires_in may read 299 across a second boundary), however long the exchange took.
    expect(tokens.accessTokenExpiresAt).toBeGreaterThanOrEqual(before + 299_000);
    expect(tokens.accessTokenExpiresAt).toBeLessThanOrEqual(after + 300_000);
    // The access token is for the notes API (RFC 8707 `aud`), in RFC 9068's format, with its scopes.
    const [header, payload] = tokens.accessToken
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(payload).toMatchObject({ iss: authserver.url, sub: 'alice', aud: 'http://localhost:4001', client_id: 'bff', scope: 'notes:read notes:write' });
  });

  it('refuses an authorization response whose iss is another server (mix-up, RFC 9207): 400 InvalidIssuerError', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    callbackUrl.searchParams.set('iss', 'http://[::1]:6660');
    const error = await failureOf(client.finishLogin(callbackUrl, attempt, state));
    expect(error).toBeInstanceOf(InvalidIssuerError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_issuer' });
    expect(error.message).toMatch(/^The authorization response was not issued by the authorization server this login went to \(RFC 9207\): /);
  });

  it('refuses an authorization response without iss (RFC 9207 §2.4: the server advertises it): 400 InvalidIssuerError', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    callbackUrl.searchParams.delete('iss');
    const error = await failureOf(client.finishLogin(callbackUrl, attempt, state));
    expect(error).toBeInstanceOf(InvalidIssuerError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_issuer' });
  });

  it('with the iss check weakened, takes a tampered iss (what the mix-up attack needs)', async () => {
    const client = oidcClient(['iss-check']);
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    callbackUrl.searchParams.set('iss', 'http://[::1]:6660');
    const { user } = await client.finishLogin(callbackUrl, attempt, state);
    expect(user.sub).toBe('alice');
  });

  it('refuses a callback whose state is not the one this login sent (RFC 6749 §10.12): 400 InvalidStateError', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt } = await loginUpToCallback(client);
    const error = await failureOf(client.finishLogin(callbackUrl, attempt, 'the-state-of-another-login'));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_state' });
    expect(error.message).toMatch(/^The callback's state does not match this login: /);
  });

  it('refuses a callback without state when one was sent: 400 InvalidStateError', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    callbackUrl.searchParams.delete('state');
    const error = await failureOf(client.finishLogin(callbackUrl, attempt, state));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_state' });
  });

  it('refuses an ID token whose nonce is not this login’s (OpenID Connect Core §3.1.3.7): 400 LoginRejectedError', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    const other: LoginAttempt = { ...attempt, nonce: 'the-nonce-of-another-login' };
    const error = await failureOf(client.finishLogin(callbackUrl, other, state));
    expect(error).toBeInstanceOf(LoginRejectedError);
    expect(error).toMatchObject({ status: 400, code: 'login_rejected' });
    expect(error.message).toMatch(/^The ID token does not belong to this login: /);
  });

  it('relays the token endpoint’s invalid_grant for a wrong code_verifier (RFC 7636 §4.6): 400 OAuthError', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    const other: LoginAttempt = { ...attempt, codeVerifier: 'another-verifier-another-verifier-another-verifier' };
    const error = await failureOf(client.finishLogin(callbackUrl, other, state));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_grant' });
    expect(error.message).toMatch(/^The authorization server said: /);
  });

  it('relays an error response of the authorization endpoint (access_denied) as 400 OAuthError, after checking state and iss', async () => {
    const client = oidcClient();
    const { attempt, state } = await client.startLogin('/', bffConfig().redirectUri);
    const callbackUrl = new URL(
      `${attempt.redirectUri}?${new URLSearchParams({ error: 'access_denied', error_description: 'the user said no', state, iss: authserver.url })}`,
    );
    const error = await failureOf(client.finishLogin(callbackUrl, attempt, state));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 400, code: 'access_denied', message: 'The authorization server said: the user said no' });
  });

  it('refuses a replayed code with invalid_grant (RFC 6749 §4.1.2), and the replay revokes the grant it had issued', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    const first = await client.finishLogin(new URL(callbackUrl), attempt, state);
    const error = await failureOf(client.finishLogin(new URL(callbackUrl), attempt, state));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_grant' });
    // oidc-provider revokes what the code had issued: its refresh token no longer works.
    const refused = await failureOf(client.refresh(first.tokens));
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ code: 'invalid_grant' });
  });

  it('answers 503 AuthServerUnavailableError when the authorization server went down between the redirect and the callback', async () => {
    const own = await startAuthServerAsIssuer();
    try {
      const config = bffConfig(own.env);
      const client = oidcClient([], config);
      const { url, attempt, state } = await client.startLogin('/', config.redirectUri);
      const callbackUrl = await signInAtAuthServer(url, 'alice');
      await own.goDown();
      const error = await failureOf(client.finishLogin(callbackUrl, attempt, state));
      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect(error).toMatchObject({ status: 503, code: 'authserver_unavailable' });
      // The code was never redeemed: once the server is back, the same callback finishes the login.
      await own.comeBack();
      expect((await client.finishLogin(callbackUrl, attempt, state)).user.sub).toBe('alice');
    } finally {
      await own.stop();
    }
  });

  it(`answers 504 AuthServerTimeoutError within about ${AUTHSERVER_TIMEOUT_SECONDS} s when the token endpoint accepts and never answers`, async () => {
    const own = await startAuthServerAsIssuer();
    const config = bffConfig(own.env);
    const client = oidcClient([], config);
    const { url, attempt, state } = await client.startLogin('/', config.redirectUri);
    const callbackUrl = await signInAtAuthServer(url, 'alice');
    await own.stop();
    // The same port, now held by a server that accepts connections and never answers. (A moment
    // first, for the client to see its kept-alive connection closed: a request on a connection
    // the server just closed fails at once, "other side closed", and that is a 503.)
    await new Promise((resolve) => setTimeout(resolve, 100));
    const frozen = await startFrozenServer(Number(new URL(own.url).port));
    try {
      const startedAt = Date.now();
      const error = await failureOf(client.finishLogin(callbackUrl, attempt, state));
      const elapsed = Date.now() - startedAt;
      expect(error).toBeInstanceOf(AuthServerTimeoutError);
      expect(error).toMatchObject({ status: 504, code: 'authserver_timeout' });
      expect(elapsed).toBeGreaterThanOrEqual(AUTHSERVER_TIMEOUT_SECONDS * 1000 - 100);
      expect(elapsed).toBeLessThan(AUTHSERVER_TIMEOUT_SECONDS * 1000 + 2_000);
    } finally {
      await frozen.close();
    }
  });
});

describe('OidcClient.refresh (RFC 6749 §6, rotation: RFC 9700 §4.14.2)', () => {
  async function signedIn(client: OidcClient): Promise<StoredTokens> {
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    return (await client.finishLogin(callbackUrl, attempt, state)).tokens;
  }

  it('gets a new access token and a new refresh token; the old refresh token is dead, and reusing it revokes the grant', async () => {
    const client = oidcClient();
    const first = await signedIn(client);
    const second = await client.refresh(first);
    expect(second).toEqual({
      accessToken: expect.stringMatching(/^eyJ/),
      refreshToken: expect.any(String),
      // The refresh answer carries a new ID token too; either way the session keeps one.
      idToken: expect.stringMatching(/^eyJ/),
      accessTokenLifetimeMs: 300_000,
      accessTokenExpiresAt: expect.any(Number),
      scope: expect.any(String),
      tokenType: 'dpop',
      sid: first.sid,
    });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);

    const replayed = await failureOf(client.refresh(first));
    expect(replayed).toBeInstanceOf(OAuthError);
    expect(replayed).toMatchObject({ status: 400, code: 'invalid_grant' });
    // Reuse of a rotated-out token looks like theft: the whole grant is gone, the newest token too.
    const afterReplay = await failureOf(client.refresh(second));
    expect(afterReplay).toMatchObject({ status: 400, code: 'invalid_grant' });
  });

  it('refuses to refresh a session without a refresh token: 400 OAuthError invalid_grant, without a call', async () => {
    const error = await failureOf(oidcClient().refresh({ accessToken: 'a', accessTokenExpiresAt: 0, accessTokenLifetimeMs: 1, scope: '' }));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_grant', message: 'The authorization server said: the session has no refresh token' });
  });

  it('answers 503 when the authorization server is down, and the refresh token still works once it is back', async () => {
    const own = await startAuthServerAsIssuer();
    try {
      const config = bffConfig(own.env);
      const client = oidcClient([], config);
      const { url, attempt, state } = await client.startLogin('/', config.redirectUri);
      const tokens = (await client.finishLogin(await signInAtAuthServer(url, 'alice'), attempt, state)).tokens;
      await own.goDown();
      const error = await failureOf(client.refresh(tokens));
      expect(error).toBeInstanceOf(AuthServerUnavailableError);
      expect(error).toMatchObject({ status: 503, code: 'authserver_unavailable' });
      await own.comeBack();
      expect((await client.refresh(tokens)).accessToken).not.toBe(tokens.accessToken);
    } finally {
      await own.stop();
    }
  });
});

describe('OidcClient.revoke (RFC 7009) and logoutUrl (RP-Initiated Logout)', () => {
  it('revokes the refresh token: it no longer refreshes', async () => {
    const client = oidcClient();
    const { callbackUrl, attempt, state } = await loginUpToCallback(client);
    const { tokens } = await client.finishLogin(callbackUrl, attempt, state);
    await client.revoke(tokens);
    const error = await failureOf(client.refresh(tokens));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_grant' });
  });

  it('does not fail a logout when the authorization server is down (best effort), and has no logout URL then', async () => {
    const down = await startAuthServerAsIssuer();
    await down.stop();
    const client = oidcClient([], bffConfig(down.env));
    await expect(client.revoke({ accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: 0, accessTokenLifetimeMs: 1, scope: '' })).resolves.toBeUndefined();
    await expect(client.logoutUrl()).resolves.toBeUndefined();
  });

  it('sends the browser to end_session_endpoint with client_id and the registered post_logout_redirect_uri, never the ID token', async () => {
    const url = new URL((await oidcClient().logoutUrl())!);
    expect(`${url.origin}${url.pathname}`).toBe(`${authserver.url}/session/end`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'bff', post_logout_redirect_uri: 'http://localhost:5173/' });
    // The authorization server accepts it: its logout confirmation page, not an error.
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(200);
  });
});
