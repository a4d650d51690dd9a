import * as client from 'openid-client';
import type { DefenceSwitches } from '@lab/shared';
import type { BffConfig } from './config.ts';
import type { LoginAttempt, SessionUser, StoredTokens } from './session.ts';
import { AuthServerTimeoutError, AuthServerUnavailableError, InvalidIssuerError, InvalidStateError, LoginRejectedError, OAuthError } from './errors.ts';

export interface OidcClientOptions {
  /** The BFF's DPoP key pair (dpop-key.ts); one is generated on first use when none is given. */
  readonly dpopKeyPair?: Promise<client.CryptoKeyPair>;
  /**
   * The back channel to the resource API for DPoP calls (the proxy's pooled one), which bounds each
   * call itself; default: the same as to the authorization server, bounded by openid-client.
   */
  readonly apiFetch?: typeof fetch;
}

/**
 * The BFF as an OpenID Connect client: a thin layer over openid-client that keeps the protocol
 * in one place. The routes call these verbs; none of them touches a raw token request.
 */
export class OidcClient {
  readonly #config: BffConfig;
  readonly #defences: DefenceSwitches;
  readonly #fetch: typeof fetch;
  readonly #options: OidcClientOptions;
  #discovered: Promise<client.Configuration> | undefined;
  #dpop: Promise<client.DPoPHandle> | undefined;
  #apiConfiguration: client.Configuration | undefined;

  constructor(config: BffConfig, defences: DefenceSwitches, fetchImpl: typeof fetch = fetch, options: OidcClientOptions = {}) {
    this.#config = config;
    this.#defences = defences;
    this.#fetch = fetchImpl;
    this.#options = options;
  }

  /**
   * The DPoP handle (openid-client): it signs a fresh proof for each request (`htm`, `htu`, `iat`,
   * `jti`, and `ath` for an API call) and keeps the servers' nonces. One key for the whole BFF
   * (dpop-key.ts says why), made on first use unless one is configured.
   */
  #dpopHandle(): Promise<client.DPoPHandle> {
    if (!this.#dpop) {
      const keyPair = this.#options.dpopKeyPair ?? client.randomDPoPKeyPair('ES256');
      // The configuration given here lends the handle only its clock: no discovery needed.
      this.#dpop = keyPair.then((pair) => client.getDPoPHandle(this.#resourceServer(), pair));
      this.#dpop.catch(() => {
        this.#dpop = undefined;
      });
    }
    return this.#dpop;
  }

  /** DPoP at the token endpoint while the `dpop` defence is on; without it the authorization server issues Bearer tokens. */
  async #tokenRequestOptions(): Promise<client.DPoPOptions> {
    return this.#defences.isOn('dpop') ? { DPoP: await this.#dpopHandle() } : {};
  }

  /**
   * OpenID Connect Discovery 1.0, once, on first use (not at start: the BFF comes up even while
   * the authorization server is down, and answers 503 until it is back).
   */
  async #server(): Promise<client.Configuration> {
    this.#discovered ??= client
      .discovery(
        new URL(this.#config.issuer),
        this.#config.clientId,
        undefined,
        // RFC 6749 §2.3.1: the client secret goes in HTTP Basic on the back channel.
        client.ClientSecretBasic(this.#config.clientSecret),
        // The lab's issuer is plain http on loopback; a real one is https and needs no such option.
        // `timeout` bounds every back-channel call (discovery, token, revocation), so a frozen
        // authorization server is a 504 after a few seconds, not a request that hangs.
        { execute: [client.allowInsecureRequests], [client.customFetch]: this.#fetch, timeout: AUTHSERVER_TIMEOUT_SECONDS },
      )
      .then((server) => {
        server[client.customFetch] = this.#fetch;
        return server;
      })
      .catch((error: unknown) => {
        this.#discovered = undefined;
        throw toTransportError(error);
      });
    return this.#discovered;
  }

  /**
   * Step 1 of the Authorization Code flow with PKCE (RFC 6749 §4.1.1, RFC 7636 §4):
   * fresh `state`, `nonce` and `code_verifier` for this attempt; only the challenge leaves the BFF.
   */
  async startLogin(returnTo: string, redirectUri: string): Promise<{ url: URL; state: string; attempt: LoginAttempt }> {
    const server = await this.#server();
    const attempt: { redirectUri: string; codeVerifier?: string; nonce?: string; returnTo: string; startedAt: number } = {
      redirectUri,
      returnTo,
      startedAt: Date.now(),
    };
    const parameters: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: this.#config.scope,
      // RFC 8707: the token will be for the notes API (its `aud`), not for anyone else.
      resource: this.#config.resource,
    };
    const state = client.randomState();
    if (this.#defences.isOn('state')) parameters.state = state;
    if (this.#defences.isOn('nonce')) {
      attempt.nonce = client.randomNonce();
      parameters.nonce = attempt.nonce;
    }
    if (this.#defences.isOn('pkce')) {
      attempt.codeVerifier = client.randomPKCECodeVerifier();
      parameters.code_challenge = await client.calculatePKCECodeChallenge(attempt.codeVerifier);
      parameters.code_challenge_method = 'S256';
    }
    return { url: client.buildAuthorizationUrl(server, parameters), state, attempt };
  }

  /**
   * Steps 2 and 3: validate the authorization response (`state`, RFC 9207 `iss`) and redeem the
   * code at the token endpoint with client authentication and the PKCE `code_verifier`.
   * `callbackUrl` is the public URL the browser was sent to, so `redirect_uri` matches exactly.
   */
  async finishLogin(callbackUrl: URL, attempt: LoginAttempt, expectedState: string | undefined) {
    const server = await this.#server();
    if (!this.#defences.isOn('iss-check')) {
      // Weakened on purpose: whatever `iss` came back is replaced by the one we expect.
      callbackUrl.searchParams.set('iss', this.#config.issuer);
    }
    try {
      const tokens = await client.authorizationCodeGrant(
        server,
        callbackUrl,
        {
          pkceCodeVerifier: attempt.codeVerifier,
          expectedState: this.#defences.isOn('state') ? expectedState : client.skipStateCheck,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        },
        { resource: this.#config.resource },
        // RFC 9449 §5: the code is redeemed with a proof of the BFF's key; the access token is bound to it.
        await this.#tokenRequestOptions(),
      );
      const claims = tokens.claims();
      if (!claims) throw new LoginRejectedError('The token response carried no ID token.');
      const user: SessionUser = {
        sub: claims.sub,
        name: stringClaim(claims.name),
        preferred_username: stringClaim(claims.preferred_username),
        email: stringClaim(claims.email),
      };
      return { user, tokens: toStoredTokens(tokens, undefined) };
    } catch (error) {
      throw toLoginError(error, this.#config.issuer);
    }
  }

  /**
   * RFC 6749 §6: a new access token from the refresh token, on the back channel. With rotation
   * (RFC 9700 §4.14.2) the answer carries a new refresh token and the old one is dead.
   */
  async refresh(tokens: StoredTokens): Promise<StoredTokens> {
    if (!tokens.refreshToken) throw new OAuthError('invalid_grant', 'the session has no refresh token');
    const server = await this.#server();
    try {
      // RFC 9449 §5: every refresh carries a proof too; the new access token is bound to the same key.
      const response = await client.refreshTokenGrant(server, tokens.refreshToken, { resource: this.#config.resource }, await this.#tokenRequestOptions());
      return toStoredTokens(response, tokens);
    } catch (error) {
      if (error instanceof client.ResponseBodyError && error.status < 500) throw new OAuthError(error.error, error.error_description);
      throw toTransportError(error);
    }
  }

  /**
   * One call to the resource API with a DPoP-bound access token (RFC 9449 §7): `Authorization: DPoP`
   * and a fresh proof for this method and URL, with `ath`, the hash of the token. It travels on
   * `apiFetch` (the proxy's pooled back channel). The API's answer is returned whatever its status:
   * a 401 challenge is the proxy's to judge.
   */
  async callResourceWithDpop(accessToken: string, url: URL, method: string, headers: Headers, body: string | undefined): Promise<Response> {
    const DPoP = await this.#dpopHandle();
    try {
      return await client.fetchProtectedResource(this.#resourceServer(), accessToken, url, method, body, headers, { DPoP });
    } catch (error) {
      // 401 and 403 answers come as an error that carries the response; the proxy judges and forwards them.
      if (error instanceof client.WWWAuthenticateChallengeError) return error.response;
      throw error;
    }
  }

  /**
   * The resource API as openid-client sees it, over the proxy's back channel. Built from the issuer
   * alone, without discovery: an API call must not wait for (or fail with) the authorization server.
   */
  #resourceServer(): client.Configuration {
    if (!this.#apiConfiguration) {
      const resourceServer = new client.Configuration({ issuer: this.#config.issuer }, this.#config.clientId);
      // The lab's API is plain http on loopback, as its issuer is.
      client.allowInsecureRequests(resourceServer);
      resourceServer[client.customFetch] = this.#options.apiFetch ?? this.#fetch;
      // The proxy's back channel has its own timeout: openid-client's would only start a second
      // timer per call (an `AbortSignal.timeout`) for a signal that the back channel does not read.
      if (this.#options.apiFetch) resourceServer.timeout = 0;
      this.#apiConfiguration = resourceServer;
    }
    return this.#apiConfiguration;
  }

  /** Where the authorization server publishes its signing keys (its discovery document's `jwks_uri`). */
  async jwksUri(): Promise<string> {
    const { jwks_uri: uri } = (await this.#server()).serverMetadata();
    if (!uri) throw new AuthServerUnavailableError(new Error('the discovery document names no jwks_uri'));
    return uri;
  }

  /** RFC 7009: tell the authorization server the refresh token is no longer needed. Best effort. */
  async revoke(tokens: StoredTokens): Promise<void> {
    if (!tokens.refreshToken) return;
    try {
      const server = await this.#server();
      await client.tokenRevocation(server, tokens.refreshToken, { token_type_hint: 'refresh_token' });
    } catch {
      // Logout must not fail because the authorization server is away; the token expires anyway.
    }
  }

  /**
   * OpenID Connect RP-Initiated Logout 1.0: where to send the browser so that the authorization
   * server ends its own session. `client_id` instead of `id_token_hint`: the ID token stays here.
   */
  async logoutUrl(): Promise<string | undefined> {
    try {
      const server = await this.#server();
      return client
        .buildEndSessionUrl(server, {
          client_id: this.#config.clientId,
          post_logout_redirect_uri: this.#config.postLogoutRedirectUri,
        })
        .toString();
    } catch {
      return undefined;
    }
  }
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function toStoredTokens(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, previous: StoredTokens | undefined): StoredTokens {
  const expiresIn = response.expiresIn() ?? 60;
  return {
    accessToken: response.access_token,
    accessTokenLifetimeMs: expiresIn * 1000,
    // Without rotation the authorization server sends no new refresh token: keep the old one.
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    idToken: response.id_token ?? previous?.idToken,
    accessTokenExpiresAt: Date.now() + expiresIn * 1000,
    scope: response.scope ?? previous?.scope ?? '',
    tokenType: response.token_type,
    // The authorization server's session (OpenID Connect Back-Channel Logout 1.0 §2.4): kept from the login's ID token.
    sid: stringClaim(response.claims()?.sid) ?? previous?.sid,
  };
}

/**
 * Turns what openid-client throws during the callback into the BFF's 4xx/5xx errors, by the
 * error's class, `code` and `cause` (what failed and what was expected), never by its message.
 */
function toLoginError(error: unknown, issuer: string): Error {
  if (error instanceof LoginRejectedError) return error;
  if (error instanceof client.AuthorizationResponseError) return new OAuthError(error.error, error.error_description);
  if (error instanceof client.ResponseBodyError && error.status < 500) return new OAuthError(error.error, error.error_description);
  if (error instanceof client.ClientError && error.code !== 'OAUTH_TIMEOUT' && error.code !== 'OAUTH_ABORT') {
    // openid-client wraps oauth4webapi's error, whose cause says what was compared with what.
    const detail = (error.cause as { message?: unknown; cause?: unknown } | undefined) ?? {};
    const reason = `${error.message}${typeof detail.message === 'string' ? `: ${detail.message}` : ''}`;
    const compared = (detail.cause ?? {}) as { expected?: unknown; claim?: unknown; parameters?: unknown };
    if (error.code === 'OAUTH_INVALID_RESPONSE' && compared.parameters instanceof URLSearchParams) {
      // The `iss` check compares with the issuer (or finds `iss` missing); the `state` check with the state.
      const aboutIssuer = 'expected' in compared ? compared.expected === issuer : !compared.parameters.has('iss');
      if (aboutIssuer) {
        return new InvalidIssuerError(`The authorization response was not issued by the authorization server this login went to (RFC 9207): ${reason}.`);
      }
      return new InvalidStateError(`The callback's state does not match this login: ${reason}.`);
    }
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && compared.claim === 'nonce') {
      return new LoginRejectedError(`The ID token does not belong to this login: ${reason}.`);
    }
    return new LoginRejectedError(`The login response failed a check: ${reason}.`);
  }
  return toTransportError(error);
}

/** How long the BFF waits for the authorization server on the back channel. */
export const AUTHSERVER_TIMEOUT_SECONDS = 5;

/**
 * A failure to talk to the authorization server at all: 504 when it did not answer in time (a
 * `TimeoutError` somewhere in the cause chain: the back channel's `CalleeSilentError`, or a fetch's
 * abort signal), else 503.
 */
function toTransportError(error: unknown): Error {
  if (error instanceof AuthServerTimeoutError || error instanceof AuthServerUnavailableError) return error;
  if (error instanceof client.ClientError && error.code === 'OAUTH_TIMEOUT') return new AuthServerTimeoutError(error);
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
    if (cause.name === 'TimeoutError') return new AuthServerTimeoutError(error);
  }
  return new AuthServerUnavailableError(error);
}
