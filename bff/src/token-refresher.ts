import type { OidcClient } from './oidc-client.ts';
import type { StoredTokens } from './session.ts';

/** Refresh this long before the access token expires, so it does not expire in flight. */
const EXPIRY_MARGIN_MS = 5_000;

export function needsRefresh(tokens: StoredTokens, now = Date.now()): boolean {
  return tokens.accessTokenExpiresAt - EXPIRY_MARGIN_MS <= now;
}

/**
 * One refresh per session at a time. With refresh-token rotation, two parallel refreshes with
 * the same refresh token look exactly like a stolen token being replayed (RFC 9700 §4.14.2):
 * the second one would revoke the whole grant. So concurrent API calls of one session wait for
 * the refresh already in flight and share its result.
 */
export class TokenRefresher {
  readonly #inFlight = new Map<string, Promise<StoredTokens>>();
  readonly #oidc: OidcClient;

  constructor(oidc: OidcClient) {
    this.#oidc = oidc;
  }

  refresh(sessionId: string, tokens: StoredTokens): Promise<StoredTokens> {
    const running = this.#inFlight.get(sessionId);
    if (running) return running;
    const refreshing = this.#oidc.refresh(tokens).finally(() => this.#inFlight.delete(sessionId));
    this.#inFlight.set(sessionId, refreshing);
    return refreshing;
  }
}
