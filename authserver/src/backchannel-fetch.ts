import type { Configuration } from 'oidc-provider';

type ProviderFetch = NonNullable<Configuration['fetch']>;

/**
 * oidc-provider's outgoing requests (here: the logout tokens of OpenID Connect Back-Channel Logout
 * 1.0) go through this `fetch`. oidc-provider guards them against SSRF with a dispatcher that refuses
 * every special-use address, loopback included: right for URIs a client registers for itself, wrong
 * for the lab's BFF, whose `backchannel_logout_uri` is on loopback by design and registered here by
 * the operator, not by a client. So for exactly those URIs the guard is left out; every other URL
 * keeps it.
 */
export function createBackchannelFetch(fetchImpl: typeof fetch, trustedUris: readonly string[]): ProviderFetch {
  return (url, options) => {
    if (!trustedUris.includes(String(url))) return fetchImpl(url, options);
    const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
    return fetchImpl(url, rest);
  };
}
