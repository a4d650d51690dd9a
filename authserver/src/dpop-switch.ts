import type { Provider } from 'oidc-provider';

/**
 * RFC 9449 §5: the BFF's access tokens must be DPoP-bound while the `dpop` defence is on. Client
 * metadata `dpop_bound_access_tokens` (RFC 9449 §5.2) makes oidc-provider refuse every token
 * request of that client without a DPoP proof (400 `invalid_grant`, "DPoP proof JWT not provided"),
 * at the code exchange and at every refresh.
 *
 * The lab switches the defence at run time, and oidc-provider's static clients are fixed at start-up,
 * so the client's `dpopBoundAccessTokens` is read from the switch each time the client is loaded
 * (`Client.find`, which every endpoint uses), as `public-client-switch.ts` does for the public client.
 */
export function requireDpopWhileOn(provider: Provider, clientId: string, isOn: () => boolean): void {
  const { Client } = provider;
  const find = Client.find.bind(Client);
  Client.find = async (id: string) => {
    const client = await find(id);
    if (client && id === clientId) Object.defineProperty(client, 'dpopBoundAccessTokens', { get: isOn, configurable: true, enumerable: true });
    return client;
  };
}
