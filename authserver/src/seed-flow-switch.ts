import type { Provider } from 'oidc-provider';

/**
 * The BFF client registers a second redirect URI, the SPA's `/callback`, for the seed text's
 * variant of the flow. It is accepted only while the lab runs that flow: otherwise exact matching
 * (RFC 9700 §4.1.3) works as if only `/bff/callback` were registered. oidc-provider checks every
 * authorization request's `redirect_uri` with `Client#redirectUriAllowed`, which this wraps.
 */
export function acceptSeedRedirectOnlyInSeedFlow(provider: Provider, seedRedirectUri: string, isOn: () => boolean): void {
  const prototype = provider.Client.prototype as { redirectUriAllowed(value: string): boolean };
  const allowed = prototype.redirectUriAllowed;
  prototype.redirectUriAllowed = function redirectUriAllowed(this: unknown, value: string): boolean {
    if (value === seedRedirectUri && !isOn()) return false;
    return allowed.call(this, value);
  };
}
