import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { BFF_SESSION_COOKIE as SESSION_COOKIE, LAB_KEY_HEADER } from '@lab/shared';
import { checkLabKey } from '../lab-control.ts';
import { readSignedCookie, sessionLinkOf } from './session-links.ts';

/**
 * LAB ONLY: who watches the X-ray, and so what they may see.
 *
 * - A learner sees their own session's exchanges: the X-ray reads the BFF session id from the
 *   signed `bff_session` cookie. So that a learner who signed out still sees how that session
 *   ended (the app comes back from the authorization server's end-session page without a
 *   session), the stream also leaves a viewer cookie holding the session's link key (opaque, not
 *   the id), signed, HttpOnly, for `/bff/xray` only.
 * - The instructor sees every session, with the run's control key: the `X-Lab-Key` header (for
 *   scripts), or, since `EventSource` cannot send headers, a short-lived HttpOnly cookie that
 *   `POST /bff/xray/view` with the key in `X-Lab-Key` sets. The cookie holds an expiry and its
 *   HMAC under the key, never the key: the key stays out of web storage (which the lab's XSS
 *   payloads read), of URLs, of the trace (the X-ray's routes are not traced) and of the logs.
 *   Both are compared in constant time.
 */
export type XrayViewer = { readonly view: 'instructor' } | { readonly view: 'session'; readonly sessionLinks: readonly string[] };

export const VIEWER_COOKIE = 'bff_xray_viewer';
export const INSTRUCTOR_COOKIE = 'bff_xray_instructor';
/** How long the instructor's cookie lasts: a teaching session, not the whole run. */
export const INSTRUCTOR_VIEW_SECONDS = 2 * 60 * 60;
const XRAY_PATH = '/bff/xray';

export function identifyViewer(ctx: Context, controlKey: string | undefined): XrayViewer {
  if (controlKey && (checkLabKey(ctx.get(LAB_KEY_HEADER), controlKey) || hasInstructorCookie(ctx, controlKey))) return { view: 'instructor' };
  const keys = ctx.app.keys as string[] | undefined;
  const sessionId = readSignedCookie(ctx, SESSION_COOKIE);
  if (sessionId && keys) return { view: 'session', sessionLinks: [sessionLinkOf(sessionId, keys)] };
  // Only without a session: whoever signs in next in this browser does not see the last one's.
  const ended = readSignedCookie(ctx, VIEWER_COOKIE);
  return { view: 'session', sessionLinks: ended ? [ended] : [] };
}

/** After a stream opened with a session: remember its link key in this browser (see above). */
export function rememberSession(ctx: Context): void {
  const sessionId = readSignedCookie(ctx, SESSION_COOKIE);
  const keys = ctx.app.keys as string[] | undefined;
  if (!sessionId || !keys) return;
  ctx.cookies.set(VIEWER_COOKIE, sessionLinkOf(sessionId, keys), { signed: true, httpOnly: true, sameSite: 'strict', path: XRAY_PATH, overwrite: true });
}

/** Sets the instructor's cookie; the caller has checked the key. */
export function grantInstructorView(ctx: Context, controlKey: string, now = Date.now()): number {
  const expiresAt = now + INSTRUCTOR_VIEW_SECONDS * 1000;
  ctx.cookies.set(INSTRUCTOR_COOKIE, `${expiresAt}.${instructorMacOf(expiresAt, controlKey)}`, {
    signed: false,
    httpOnly: true,
    sameSite: 'strict',
    path: XRAY_PATH,
    maxAge: INSTRUCTOR_VIEW_SECONDS * 1000,
    overwrite: true,
  });
  return expiresAt;
}

export function endInstructorView(ctx: Context): void {
  ctx.cookies.set(INSTRUCTOR_COOKIE, null, { signed: false, httpOnly: true, sameSite: 'strict', path: XRAY_PATH, overwrite: true });
}

function hasInstructorCookie(ctx: Context, controlKey: string, now = Date.now()): boolean {
  const [expiry = '', mac = ''] = (ctx.cookies.get(INSTRUCTOR_COOKIE, { signed: false }) ?? '').split('.', 2);
  const expiresAt = Number(expiry);
  if (!/^\d{1,16}$/.test(expiry) || expiresAt <= now) return false;
  const expected = Buffer.from(instructorMacOf(expiresAt, controlKey));
  const presented = Buffer.from(mac);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

function instructorMacOf(expiresAt: number, controlKey: string): string {
  return createHmac('sha256', controlKey).update(`lab x-ray instructor view until ${expiresAt}`).digest('base64url');
}
