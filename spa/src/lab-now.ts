/**
 * LAB ONLY: the lab's time as this page knows it. The lab's services can run ahead of real time
 * (`npm run lab -- time +5m`) while this browser's clock does not, so a JWT's `exp` read against
 * `Date.now()` would say "in 5 min" of a token the API already refuses. The X-ray learns the lab's
 * time from `GET /bff/xray/state` and keeps the difference here.
 */
let aheadMs = 0;

/** The lab's time as the BFF read it (ISO 8601), just now. */
export function learnLabTime(iso: string): void {
  const lab = Date.parse(iso);
  if (Number.isFinite(lab)) aheadMs = lab - Date.now();
}

/** Milliseconds since 1970 in the lab's time. */
export function labNow(): number {
  return Date.now() + aheadMs;
}
