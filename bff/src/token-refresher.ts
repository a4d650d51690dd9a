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
  /**
   * The last refresh of each session, kept briefly: a request that loaded the session before the
   * new tokens were saved still holds the rotated-out refresh token, and must get the new tokens
   * instead of replaying the old one.
   */
  readonly #recent = new Map<string, { replaced: string | undefined; tokens: StoredTokens; until: number }>();
  readonly #oidc: OidcClient;
  readonly #now: () => number;

  constructor(oidc: OidcClient, now: () => number = Date.now) {
    this.#oidc = oidc;
    this.#now = now;
  }

  refresh(sessionId: string, tokens: StoredTokens): Promise<StoredTokens> {
    const recent = this.#recent.get(sessionId);
    if (recent && recent.until > this.#now() && recent.replaced === tokens.refreshToken && !needsRefresh(recent.tokens, this.#now())) {
      return Promise.resolve(recent.tokens);
    }
    const running = this.#inFlight.get(sessionId);
    if (running) return running;
    const refreshing = this.#oidc
      .refresh(tokens)
      .then((fresh) => {
        this.#forgetExpired();
        this.#recent.set(sessionId, { replaced: tokens.refreshToken, tokens: fresh, until: this.#now() + RECENT_MS });
        return fresh;
      })
      .finally(() => this.#inFlight.delete(sessionId));
    this.#inFlight.set(sessionId, refreshing);
    return refreshing;
  }

  #forgetExpired(): void {
    const now = this.#now();
    for (const [sessionId, recent] of this.#recent) if (recent.until <= now) this.#recent.delete(sessionId);
  }
}

/** Long enough for any request that started before a refresh to finish; short enough to hold little. */
const RECENT_MS = 30_000;
