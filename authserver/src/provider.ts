import Provider, { errors, type AdapterFactory, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { DefenceSwitches } from '@lab/shared';
import type { AuthServerConfig } from './config.ts';
import { findAccount } from './accounts.ts';
import { refusePublicClientWhileOff } from './public-client-switch.ts';
import { acceptSeedRedirectOnlyInSeedFlow } from './seed-flow-switch.ts';
import { requireDpopWhileOn } from './dpop-switch.ts';
import { createBackchannelFetch } from './backchannel-fetch.ts';
import type { RunSettings } from './run-settings.ts';
import { renderErrorPage, renderLogoutPage, renderLoggedOutPage } from './views/provider-pages.ts';

/** The scopes the notes API understands, and what the consent page says about each. */
export const RESOURCE_SCOPES = 'notes:read notes:write';

export interface ProviderDeps {
  readonly signingJwk: Record<string, unknown>;
  readonly defences: DefenceSwitches;
  /** Mutable at run time: a scenario can make access tokens expire quickly, or allow the public client. */
  readonly settings: RunSettings;
  /** Where grants, sessions, tokens and pending sign-ins are kept (storage/memory-storage.ts). */
  readonly adapter: AdapterFactory;
  /** The back channel out (logout tokens to the BFF): traced in the lab. */
  readonly fetch?: typeof fetch;
}

/** Whether the request's `scope` names one of the notes API's scopes (RFC 8707: then the token is for that API). */
function asksForResourceScope(ctx: KoaContextWithOIDC): boolean {
  const requested = typeof ctx.oidc?.params?.scope === 'string' ? ctx.oidc.params.scope.split(' ') : [];
  return requested.some((scope) => RESOURCE_SCOPES.split(' ').includes(scope));
}

/**
 * The authorization server, configured as a real deployment would be. Everything the lab can
 * weaken is read from `defences` on each request, so a scenario can switch one off for one run.
 */
export function createProvider(config: AuthServerConfig, deps: ProviderDeps): Provider {
  const { bffClient, publicClient, resourceIndicator } = config;
  const { defences, settings } = deps;
  // Mallory's own app and API (attack-wrong-audience), registered like any other tenant's: another
  // resource server that uses the same scope names, so its tokens look like notes tokens but for `aud`.
  const rogueApp = { clientId: 'mallory-app', redirectUri: `${config.topology.attacker.url}/callback`, resource: `${config.topology.attacker.url}/api` };

  const configuration: Configuration = {
    adapter: deps.adapter,
    clients: [
      {
        client_id: bffClient.clientId,
        client_name: 'OAuth BFF lab (the BFF)',
        client_secret: bffClient.clientSecret,
        // RFC 6749 §2.3.1: the BFF is a confidential client and authenticates with HTTP Basic.
        token_endpoint_auth_method: 'client_secret_basic',
        // Exact string matching of the one registered redirect URI (RFC 9700 §4.1.3).
        // The second one is the seed's variant, refused unless the lab runs that flow (seed-flow-switch.ts).
        redirect_uris: [bffClient.redirectUri, bffClient.seedRedirectUri],
        post_logout_redirect_uris: [bffClient.postLogoutRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // RFC 9449 §5.2: every access token of the BFF is bound to its DPoP key (read from the
        // `dpop` defence at run time: dpop-switch.ts).
        dpop_bound_access_tokens: true,
        // OpenID Connect Back-Channel Logout 1.0 §2.2: when alice's session here ends (this server's
        // own end-session page, another app's logout), the BFF is told, with the session's `sid`.
        backchannel_logout_uri: bffClient.backchannelLogoutUri,
        backchannel_logout_session_required: true,
      },
      {
        // The anti-pattern, for comparison: the SPA as its own OAuth client, in the browser.
        client_id: publicClient.clientId,
        client_name: 'OAuth BFF lab (the SPA as a public client: anti-pattern mode)',
        // RFC 6749 §2.1: a public client cannot keep a secret; PKCE is what binds its code to it.
        token_endpoint_auth_method: 'none',
        redirect_uris: [publicClient.redirectUri],
        post_logout_redirect_uris: [publicClient.postLogoutRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        // Another app at the same authorization server: Mallory's, a public client for her own API only.
        client_id: rogueApp.clientId,
        client_name: "Mallory's app",
        token_endpoint_auth_method: 'none',
        redirect_uris: [rogueApp.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The token (and revocation, userinfo) endpoints answer browsers for the public client only,
    // and only on the app's origin. The BFF calls them server to server: no CORS for it at all.
    clientBasedCORS: (_ctx, origin, client) => client.clientId === publicClient.clientId && origin === publicClient.origin,
    findAccount,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // The BFF reads the user's name from the ID token instead of calling userinfo: its access
    // token is for the notes API (audience-restricted), not for the userinfo endpoint.
    conformIdTokenClaims: false,
    // RFC 7636 + RFC 9700 §2.1.1: PKCE for every client, confidential ones included. Only S256.
    pkce: { required: () => defences.isOn('pkce') },
    // Only what the lab's clients use: HTTP Basic for the confidential BFF, none for public clients.
    clientAuthMethods: ['client_secret_basic', 'none'],
    // Authorization Code only: no implicit or hybrid flows (RFC 9700 §2.1.2).
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      // RFC 9449: sender-constrained tokens. On by default in oidc-provider 9; named here because the
      // BFF's client requires it (`dpop_bound_access_tokens`, dpop-switch.ts).
      dPoP: { enabled: true },
      // RFC 7009: the BFF revokes its refresh token at logout.
      revocation: { enabled: true },
      // OpenID Connect Back-Channel Logout 1.0: a session ended here ends the BFF's sessions of it too.
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: renderLogoutPage,
        postLogoutSuccessSource: renderLoggedOutPage,
      },
      resourceIndicators: {
        enabled: true,
        // RFC 8707: each client has one resource (the lab's clients the notes API, Mallory's app
        // her own API); a client that names none gets its own.
        // At the authorization endpoint, only for a request that asks for an API scope: one for OpenID
        // scopes alone ("openid profile") gets what it asked for, a token for this server's own userinfo
        // endpoint with those scopes, not a token for the notes API that carries no scope (`"scope": ""`).
        defaultResource: (ctx, client, oneOf) => {
          const own = client?.clientId === rogueApp.clientId ? rogueApp.resource : resourceIndicator;
          // At the token endpoint, among several granted resources: the client's own.
          if (oneOf) return oneOf.includes(own) ? own : oneOf;
          return asksForResourceScope(ctx) ? own : undefined;
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, resource: string, client) => {
          const allowed = client.clientId === rogueApp.clientId ? rogueApp.resource : resourceIndicator;
          if (resource !== allowed) {
            throw new errors.InvalidTarget(`unknown resource ${resource}`);
          }
          return {
            scope: RESOURCE_SCOPES,
            audience: allowed,
            // RFC 9068: a JWT the resource server validates on its own, without introspection.
            accessTokenFormat: 'jwt',
            accessTokenTTL: settings.accessTokenTtlSeconds,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // The BFF keeps the session alive with a refresh token, bound to the user's session here.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // RFC 9700 §4.14.2: rotate on every use; a rotated token used again revokes the whole grant.
    rotateRefreshToken: () => defences.isOn('refresh-rotation'),
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    cookies: {
      keys: [...config.cookieKeys],
    },
    jwks: { keys: [deps.signingJwk as never] },
    ttl: {
      AccessToken: () => settings.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      // Read at each issue, the rotated ones included: each rotation gives the new refresh token the
      // whole lifetime again (oidc-provider's default for sender-constrained and confidential
      // clients), so for the BFF it bounds inactivity, not the session. What bounds the session is
      // its binding to the user's session here (no offline_access: it ends with `Session`) and the
      // grant (`Grant`).
      RefreshToken: () => settings.refreshTokenTtlSeconds,
      Interaction: 600,
      Session: config.sessionTtlSeconds,
      Grant: 8 * 3600,
    },
    renderError: renderErrorPage,
    fetch: createBackchannelFetch(deps.fetch ?? fetch, [bffClient.backchannelLogoutUri]),
  };

  const provider = new Provider(config.issuer, configuration);
  refusePublicClientWhileOff(provider, publicClient.clientId, () => settings.publicClient);
  acceptSeedRedirectOnlyInSeedFlow(provider, bffClient.seedRedirectUri, () => settings.flow === 'seed');
  requireDpopWhileOn(provider, bffClient.clientId, () => defences.isOn('dpop'));
  return provider;
}
