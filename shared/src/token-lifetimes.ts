/**
 * When the BFF refreshes an access token: this long before it expires, so that it does not expire
 * on its way to the API. A fixed margin breaks short lifetimes (a 5 s margin on a 5 s token makes
 * every fresh token "due" at once, and parallel calls refresh in a loop), so the margin is a fifth
 * of the token's lifetime, at most 5 s. Browser-safe: the scenarios narrate the same rule.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(MAX_REFRESH_MARGIN_MS, Math.max(0, Math.floor(lifetimeMs / 5)));
}

export const MAX_REFRESH_MARGIN_MS = 5_000;
