/**
 * LAB ONLY: which view of the X-ray this browser gets. A learner's X-ray shows their own
 * session's exchanges; the instructor's shows every session's and needs the run's control key
 * (in `.lab/run.json`, `LAB_CONTROL_KEY`).
 *
 * `EventSource` cannot send the `X-Lab-Key` header, so the browser trades the key once for a
 * short-lived HttpOnly cookie (`POST /bff/xray/view`), which the stream then gets. The key is
 * never kept in the page: not in web storage (the lab's XSS payloads read it), not in the
 * address. An instructor can open `http://localhost:5173/#xray-key=<key>`: a fragment never
 * leaves the browser (no server log, no Referer), and the panel removes it from the address bar
 * and history at once.
 */

export type XrayView = 'session' | 'instructor';

export const VIEW_LABELS: Readonly<Record<XrayView, string>> = {
  session: 'Your session only',
  instructor: 'Instructor view: every session',
};

const VIEW_URL = '/bff/xray/view';
const KEY_PARAMETER = 'xray-key';

export type InstructorViewResult = 'opened' | 'wrong-key' | 'unavailable';

/** Trades the control key for the instructor's cookie. */
export async function openInstructorView(key: string): Promise<InstructorViewResult> {
  try {
    const response = await fetch(VIEW_URL, {
      method: 'POST',
      headers: { 'X-CSRF': '1', 'X-Lab-Key': key, Accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (response.ok) return 'opened';
    return response.status === 401 ? 'wrong-key' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

/** Back to this browser's own session. */
export async function leaveInstructorView(): Promise<void> {
  await fetch(VIEW_URL, { method: 'DELETE', headers: { 'X-CSRF': '1', Accept: 'application/json' }, credentials: 'same-origin' }).catch(() => undefined);
}

/**
 * The key in the address's fragment (`#xray-key=…`), if any, removed from the address bar and
 * from the history entry before anything else happens.
 */
export function takeKeyFromAddress(): string | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get(KEY_PARAMETER);
  if (key === null) return undefined;
  fragment.delete(KEY_PARAMETER);
  const rest = fragment.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return key || undefined;
}

/** The view a stream or `GET /bff/xray/state` named, or undefined for anything else. */
export function parseView(value: unknown): XrayView | undefined {
  return value === 'session' || value === 'instructor' ? value : undefined;
}
