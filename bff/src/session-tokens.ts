import { refreshMarginMs } from '@lab/shared';
import type { OidcClient } from './oidc-client.ts';
import type { StoredTokens } from './session.ts';
import type { TokenStore } from './token-store.ts';
import type { RefreshLock } from './refresh-lock.ts';
import { AuthServerSessions } from './authserver-sessions.ts';
import { OAuthError, SessionExpiredError, SessionStoreUnavailableError } from './errors.ts';

/** How often a request that waits for another instance's refresh looks at the store again. */
const LOCK_POLL_MS = 50;

/** Whether the access token is due for a refresh: inside its margin, or past its expiry. */
export function needsRefresh(tokens: StoredTokens, now = Date.now()): boolean {
  return tokens.accessTokenExpiresAt - refreshMarginMs(tokens.accessTokenLifetimeMs) <= now;
}

/**
 * The life of a session's access token, in one place: is it fresh, refresh it (once per session
 * at a time), refresh it again when the API refuses it, and end the session when it cannot be
 * refreshed any more.
 *
 * Why so careful: with refresh-token rotation, sending a refresh token that was already rotated
 * out looks exactly like a stolen token being replayed (RFC 9700 §4.14.2), and the authorization
 * server revokes the whole grant: the user is signed out. Parallel API calls of one session all
 * find the same expired token at the same moment. So:
 * - the token store, not a request's copy of the session, is the only source of the refresh
 *   token: every refresh reads it there, under the session's single flight;
 * - a request that saw an older token joins the flight, or finds the newer token in the store;
 * - the new tokens are written only if the session still has the ones refreshed from, so a
 *   session ended meanwhile (logout) is not brought back.
 */
export class SessionTokens {
  readonly #inFlight = new Map<string, Promise<StoredTokens>>();
  readonly #oidc: OidcClient;
  readonly #store: TokenStore;
  readonly #now: () => number;
  readonly #lock: RefreshLock | undefined;
  readonly #authServerSessions: AuthServerSessions;

  /** `lock`: given when several BFF processes share the store (refresh-lock.ts); one process needs none. */
  constructor(
    oidc: OidcClient,
    store: TokenStore,
    now: () => number = () => Date.now(),
    lock?: RefreshLock,
    authServerSessions = new AuthServerSessions({ now }),
  ) {
    this.#oidc = oidc;
    this.#store = store;
    this.#now = now;
    this.#lock = lock;
    this.#authServerSessions = authServerSessions;
  }

  /** The tokens of a signed-in session, or undefined when it has none (ended, expired). */
  current(sid: string): Promise<StoredTokens | undefined> {
    return this.#store.get(sid);
  }

  /** Stores the tokens of a new sign-in for as long as the session may live. */
  start(sid: string, tokens: StoredTokens, sessionTtlMs: number): Promise<void> {
    // Remembered for back-channel logout: the authorization server names its session, not ours.
    if (tokens.sid) this.#authServerSessions.add(tokens.sid, sid, sessionTtlMs);
    return this.#store.put(sid, tokens, sessionTtlMs);
  }

  /**
   * OpenID Connect Back-Channel Logout 1.0 §2.7: the authorization server ended its session `sid`.
   * Every BFF session of it ends here (its tokens deleted, so its cookie opens nothing), and each
   * refresh token is revoked (RFC 7009), in parallel. Returns how many sessions ended.
   */
  async endAuthServerSession(sid: string): Promise<number> {
    const known = new Set(this.#authServerSessions.take(sid));
    // Several BFF instances share the store (a lock is given): sessions signed in through another
    // instance are not in this process's index, and only one instance receives the logout token.
    // They are found in the shared store. (A scan: a large deployment would index sid in the store.)
    if (this.#lock && this.#store.list) {
      for (const entry of await this.#store.list()) if (entry.tokens.sid === sid) known.add(entry.sid);
    }
    const ended = await Promise.all(
      [...known].map(async (bffSid) => {
        const held = await this.#store.get(bffSid);
        // A session signed in again since (a new sid at the authorization server) is not this one.
        if (!held || held.sid !== sid) return false;
        await this.end(bffSid, { revoke: true });
        return true;
      }),
    );
    return ended.filter(Boolean).length;
  }

  /** Tokens fit for an API call now: the stored ones, refreshed first when they are due. */
  async fresh(sid: string): Promise<StoredTokens> {
    const tokens = await this.#store.get(sid);
    if (!tokens) throw new SessionExpiredError('the session has no tokens any more');
    if (!needsRefresh(tokens, this.#now())) return tokens;
    return this.#refreshFrom(sid, tokens);
  }

  /**
   * The API refused `used` as invalid (its keys changed, the grant was revoked): one refresh, unless
   * another request already replaced that token. The caller retries its call once with the answer.
   */
  refreshAfterRefusal(sid: string, used: StoredTokens): Promise<StoredTokens> {
    return this.#refreshFrom(sid, used);
  }

  /** Ends the session's tokens here; `revoke` also tells the authorization server (RFC 7009). */
  async end(sid: string, { revoke }: { revoke: boolean }): Promise<void> {
    const tokens = await this.#store.get(sid);
    await this.#store.delete(sid);
    if (revoke && tokens) await this.#oidc.revoke(tokens);
  }

  /** Single flight per session: a refresh running for it is joined, never run twice. */
  async #refreshFrom(sid: string, seen: StoredTokens): Promise<StoredTokens> {
    for (let running = this.#inFlight.get(sid); running; running = this.#inFlight.get(sid)) {
      const result = await running;
      if (result.accessToken !== seen.accessToken) return result;
      // That flight ended with the very token the API just refused: look again, since another
      // waiter may have started the next flight already.
    }
    const flight = this.#refreshUnderLock(sid, seen).finally(() => this.#inFlight.delete(sid));
    this.#inFlight.set(sid, flight);
    return flight;
  }

  /**
   * Across processes: the instance that takes the session's lock refreshes; the others wait for
   * its result in the store and use it, so no instance ever sends a refresh token another one
   * is rotating. A holder that died leaves the lock to expire; then a waiter takes it.
   */
  async #refreshUnderLock(sid: string, seen: StoredTokens): Promise<StoredTokens> {
    if (!this.#lock) return this.#refresh(sid, seen);
    const giveUpAt = Date.now() + 2 * this.#lock.holdMs;
    for (;;) {
      const release = await this.#lock.tryAcquire(sid);
      if (release) {
        try {
          return await this.#refresh(sid, seen);
        } finally {
          await release().catch(() => {}); // it expires by itself
        }
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      const latest = await this.#store.get(sid);
      if (!latest) throw new SessionExpiredError('the session has ended');
      if (latest.accessToken !== seen.accessToken && !needsRefresh(latest, this.#now())) return latest;
      if (Date.now() > giveUpAt) throw new SessionStoreUnavailableError(new Error('the refresh lock was never released'));
    }
  }

  async #refresh(sid: string, seen: StoredTokens): Promise<StoredTokens> {
    const latest = await this.#store.get(sid);
    if (!latest) throw new SessionExpiredError('the session has ended');
    // Replaced since this request read it (by another request, or another BFF instance): use that.
    if (latest.accessToken !== seen.accessToken && !needsRefresh(latest, this.#now())) return latest;
    let next: StoredTokens;
    try {
      next = await this.#oidc.refresh(latest);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error; // unavailable or slow: the session is kept
      // invalid_grant: the refresh token expired or was revoked, or its reuse revoked the grant.
      await this.#store.delete(sid);
      throw new SessionExpiredError(error.message);
    }
    if (await this.#store.replace(sid, latest, next)) return next;
    // The session ended while the refresh ran (a logout): do not bring it back, and let the new
    // refresh token go too.
    await this.#oidc.revoke(next);
    throw new SessionExpiredError('the session has ended');
  }
}
