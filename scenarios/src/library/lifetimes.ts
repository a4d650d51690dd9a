import type { BrowserContext, Page } from 'playwright-core';
import type { LabConnection } from '../engine/lab-connection.ts';

/**
 * How long each thing lives in this lab, read from the lab (`GET /_lab/settings` of the
 * authorization server and the BFF), so that a scenario moves the clock by what the lab says, not
 * by a guess. All in seconds.
 */
export interface LabLifetimes {
  readonly accessToken: number;
  readonly refreshToken: number;
  /** The authorization server's session (`ttl.Session`): single sign-on while it lives. */
  readonly authServerSession: number;
  /** `BFF_SESSION_IDLE`: a BFF session unused this long ends. */
  readonly bffSessionIdle: number;
  /** `BFF_SESSION_TTL`: a BFF session ends this long after its sign-in, whatever its activity. */
  readonly bffSession: number;
}

export async function readLifetimes(lab: LabConnection): Promise<LabLifetimes> {
  const settings = await lab.settings();
  const of = (service: 'authserver' | 'bff', name: string): number => {
    const value = settings.find((entry) => entry.service === service)?.[name];
    if (typeof value !== 'number') throw new Error(`the ${service} does not report ${name} in GET /_lab/settings`);
    return value;
  };
  return {
    accessToken: of('authserver', 'accessTokenTtlSeconds'),
    refreshToken: of('authserver', 'refreshTokenTtlSeconds'),
    authServerSession: of('authserver', 'sessionTtlSeconds'),
    bffSessionIdle: of('bff', 'sessionIdleSeconds'),
    bffSession: of('bff', 'sessionTtlSeconds'),
  };
}

/** The lab's time now, in epoch ms (every service is on it; the browsers of the run too). */
export async function labNow(lab: LabConnection): Promise<number> {
  const clocks = await lab.clocks();
  const bff = clocks.find((clock) => clock.service === 'bff') ?? clocks[0];
  if (!bff) throw new Error("no service answers GET /_lab/clock: the lab's time cannot be read");
  return Date.parse(bff.now);
}

/** What `GET /bff/user` answered the page (as the app's own script calls it), with the session's times in epoch ms. */
export interface BffSessionView {
  readonly status: number;
  readonly error?: string;
  readonly message?: string;
  readonly sub?: string;
  readonly signedInAt?: number;
  readonly idleExpiresAt?: number;
  readonly absoluteExpiresAt?: number;
}

export async function bffSessionOf(page: Page): Promise<BffSessionView> {
  const answer = await page.evaluate(async () => {
    const response = await fetch('/bff/user', { headers: { 'X-CSRF': '1' } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  });
  const body = answer.body as {
    error?: string;
    message?: string;
    claims?: { sub?: string };
    session?: { signedInAt?: string; idleExpiresAt?: string; absoluteExpiresAt?: string };
  };
  const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
  return {
    status: answer.status,
    ...(body.error ? { error: body.error, message: body.message } : {}),
    ...(body.claims ? { sub: body.claims.sub } : {}),
    ...(body.session
      ? { signedInAt: time(body.session.signedInAt), idleExpiresAt: time(body.session.idleExpiresAt), absoluteExpiresAt: time(body.session.absoluteExpiresAt) }
      : {}),
  };
}

/** One call of the app's own script (same origin, `X-CSRF: 1`): status and error code. */
export async function callAppApi(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  json?: unknown,
): Promise<{ status: number; error?: string; message?: string }> {
  return page.evaluate(
    async ({ method, path, json }) => {
      const response = await fetch(path, {
        method,
        headers: { 'X-CSRF': '1', ...(json === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
      return { status: response.status, ...(body.error ? { error: body.error, message: body.message } : {}) };
    },
    { method, path, json },
  );
}

/** When the authorization server's session cookie (`_session`, for its own site) expires, in epoch ms: when its session ends. */
export async function authServerSessionCookieExpiry(context: BrowserContext, issuer: string): Promise<number | undefined> {
  const cookie = (await context.cookies(issuer)).find((candidate) => candidate.name === '_session');
  return cookie && cookie.expires > 0 ? cookie.expires * 1000 : undefined;
}

/**
 * The Resource Owner adds a note in the app (the text box and "Add note"), and the app answers:
 * the note in the list, or the signed-out view (the BFF said 401). Returns which.
 */
export async function addNoteInApp(page: Page, text: string): Promise<'saved' | 'signed-out'> {
  await page.getByTestId('note-input').fill(text);
  await page.getByTestId('add-note-button').click();
  return Promise.race([
    page
      .getByTestId('note')
      .filter({ hasText: text })
      .waitFor()
      .then(() => 'saved' as const),
    page
      .getByTestId('login-button')
      .waitFor()
      .then(() => 'signed-out' as const),
  ]);
}

/** An epoch-milliseconds time as ISO 8601, for an expectation's value; `none` when there is none. */
export function iso(epochMs: number | undefined): string {
  return epochMs === undefined ? 'none' : new Date(epochMs).toISOString();
}
