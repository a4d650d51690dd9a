import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';

/** Never more than one JWKS fetch a second for unknown keys, however many tokens name one. */
const MIN_FORCED_RELOAD_INTERVAL_MS = 1_000;

/**
 * The authorization server's public keys (its JWKS), fetched on first use and cached.
 *
 * A token signed with a key the cache does not know yet (the authorization server rotated its key,
 * or restarted with a new one) must lead to one refetch, not a refusal. jose refetches on an
 * unknown `kid` itself, but not within `cooldownDuration` of the last fetch, and a token issued in
 * that window would be refused as invalid: the user signed in a second ago gets a 401. So an
 * unknown key during the cooldown waits for one more fetch (at most one a second, shared by every
 * request that needs it), then is looked up once more. A forged token with a random `kid` costs
 * at most that one shared fetch, and is still refused.
 */
export function createAuthServerKeys(jwksUrl: URL, fetchImpl?: typeof fetch): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(jwksUrl, { cooldownDuration: 30_000, ...(fetchImpl ? { [customFetch]: fetchImpl } : {}) });
  let lastForcedReload = 0;
  let forcedReload: Promise<void> | undefined;

  const reloadSoon = (): Promise<void> => {
    forcedReload ??= (async () => {
      const wait = lastForcedReload + MIN_FORCED_RELOAD_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastForcedReload = Date.now();
      await remote.reload();
    })().finally(() => {
      forcedReload = undefined;
    });
    return forcedReload;
  };

  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !remote.coolingDown) throw error;
      await reloadSoon();
      return remote(header, token);
    }
  };
}
