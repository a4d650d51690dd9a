import { errors, type Provider } from 'oidc-provider';

/**
 * The public client `spa-public` is registered for the lab's anti-pattern mode only. While that
 * mode is off, the authorization server treats every request naming it as coming from a client
 * that may not use it: the authorization endpoint shows a 400 error page, the token endpoint answers
 * 400 `unauthorized_client` (RFC 6749 §4.1.2.1, §5.2), so an injected script cannot fall back to it.
 *
 * oidc-provider has no per-client on/off switch, and its static clients are fixed at start-up, so
 * this wraps `Client.find`, which every endpoint uses to load the client named in a request.
 */
export function refusePublicClientWhileOff(provider: Provider, clientId: string, isOn: () => boolean): void {
  const { Client } = provider;
  const find = Client.find.bind(Client);
  Client.find = async (id: string) => {
    if (id === clientId && !isOn()) {
      throw new errors.UnauthorizedClient(
        `the public client ${clientId} is switched off: this lab runs in BFF mode, where the BFF is the only client (switch the lab to public-client mode to try the anti-pattern)`,
      );
    }
    return find(id);
  };
}
