import type { Cookie } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { describeOffset } from '../lab-time.ts';
import { findExchange, fieldsOf } from '../library/exchanges.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { addNoteInApp, bffSessionOf, iso, labNow, readLifetimes, type BffSessionView } from '../library/lifetimes.ts';

/**
 * The BFF session's idle timeout (OWASP Session Management Cheat Sheet, "Idle timeout"): a session
 * that nobody uses for `BFF_SESSION_IDLE` ends, whatever is left of its absolute lifetime. Every
 * request moves the idle deadline; the next request after it finds the session ended.
 */
export const bffIdleTimeout = defineScenario({
  id: 'lifetime-bff-idle',
  title: 'BFF session idle timeout: a session left unused ends by itself',
  kind: 'flow',
  teaches:
    "Each request to the BFF moves the session's idle deadline (at most once a minute: one store write, not one per call). A session left unused for BFF_SESSION_IDLE ends at the next request: 401 session_expired, the cookie cleared, the tokens deleted and the refresh token revoked; a copy of the old cookie opens nothing.",
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "The lifetimes are the lab's, read from GET /_lab/settings: the BFF session's idle timeout (BFF_SESSION_IDLE, 30 min by default) and its absolute lifetime (BFF_SESSION_TTL, 8 h).",
    "Time passes by moving the lab's clock: every service and the browser together, and nobody waits. A step says when it moves the clock, and by how much.",
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const spa = topology.spa.url;
    const lifetimes = await readLifetimes(lab);
    const idleMs = lifetimes.bffSessionIdle * 1000;
    const browser = await newUserAgent();
    const page = await browser.newPage();

    let signedIn: BffSessionView = { status: 0 };
    let copied: Cookie[] = [];
    let lastTokens: TraceEvent | undefined;
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app as alice',
        look: 'GET /bff/user: when the BFF session ends if unused, and when it ends whatever',
      },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        lastTokens = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        signedIn = await bffSessionOf(page);
        const { signedInAt = 0, idleExpiresAt = 0, absoluteExpiresAt = 0 } = signedIn;
        s.expect('GET /bff/user answers for alice', { status: 200, sub: 'alice' }, { status: signedIn.status, sub: signedIn.sub });
        s.expect(
          `idleExpiresAt: ${describeOffset(lifetimes.bffSessionIdle)} after the sign-in (BFF_SESSION_IDLE), unless she uses the app before`,
          iso(signedInAt + idleMs),
          iso(idleExpiresAt),
        );
        s.expect(
          `absoluteExpiresAt: ${describeOffset(lifetimes.bffSession)} after the sign-in (BFF_SESSION_TTL), whatever she does`,
          iso(signedInAt + lifetimes.bffSession * 1000),
          iso(absoluteExpiresAt),
        );
        const cookie = await sessionCookie(browser, spa);
        s.check(
          'the session cookie expires at the absolute end: the browser keeps it, the BFF judges the idle timeout',
          iso(Math.floor(absoluteExpiresAt / 1000) * 1000),
          iso(cookie ? cookie.expires * 1000 : undefined),
          cookie !== undefined && Math.abs(cookie.expires * 1000 - absoluteExpiresAt) < 1000,
        );
        copied = (await browser.cookies(spa)).filter((entry) => entry.name.startsWith('bff_session'));
        s.sees({ browser: 'bff_session (HttpOnly), until the absolute end', bff: "alice's session: signedInAt, idleExpiresAt; her tokens" });
      },
    );

    const reading = Math.floor((lifetimes.bffSessionIdle * 2) / 3);
    let active: BffSessionView = { status: 0 };
    await step(
      {
        actor: 'Resource Owner',
        action: `reads her notes for ${describeOffset(reading)} (the clock moves ${describeOffset(reading)}), then adds one`,
        look: 'the idle deadline moves to 30 min after this call; the absolute end stays',
      },
      async (s) => {
        const move = await s.moveLabTime(reading);
        const saved = await addNoteInApp(page, 'Lunch at one');
        active = await bffSessionOf(page);
        const exchanges = await s.exchanges();
        const post = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/api/notes' });
        s.expect('the note is saved: POST /api/notes answers 201', { status: 201, app: 'saved' }, { status: post?.status, app: saved });
        const calledAt = Date.parse(move.labTime);
        const idleExpiresAt = active.idleExpiresAt ?? 0;
        s.check(
          `idleExpiresAt is now ${describeOffset(lifetimes.bffSessionIdle)} after this call`,
          `${iso(calledAt + idleMs)}, give or take the seconds the step takes`,
          iso(idleExpiresAt),
          idleExpiresAt >= calledAt + idleMs && idleExpiresAt <= calledAt + idleMs + 10_000,
        );
        s.expect('absoluteExpiresAt has not moved', iso(signedIn.absoluteExpiresAt), iso(active.absoluteExpiresAt));
        const refresh = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        if (refresh) lastTokens = refresh;
        s.note(
          'Moving the deadline is a write to the session store. The BFF does it at most once a minute: a session making a hundred calls a minute costs one write a minute, and ends between 29 and 30 minutes after its last call.',
        );
        if (refresh) s.note(`On the way, the BFF refreshed the access token (${lifetimes.accessToken} s lifetime): a separate lifetime, see flow-refresh.`);
        s.sees({ browser: 'the same bff_session', bff: 'a new idle deadline, the same absolute end' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'leaves for lunch, comes back after the idle deadline, and adds a note',
        look: '401 session_expired: the BFF ended the session, cleared the cookie and revoked the refresh token',
      },
      async (s) => {
        const gap = Math.ceil(((active.idleExpiresAt ?? 0) - (await labNow(lab))) / 1000) + 1;
        s.note(`The idle deadline is ${iso(active.idleExpiresAt)}: the clock moves ${describeOffset(gap)}, to 1 s past it.`);
        await s.moveLabTime(gap);
        const shown = await addNoteInApp(page, 'Back from lunch');
        const exchanges = await s.exchanges();
        const post = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/api/notes' });
        const answer = fieldsOf(post?.responseBody);
        s.expect(
          'POST /api/notes: 401 session_expired, saying why',
          {
            status: 401,
            error: 'session_expired',
            message: `Your session has ended: it was not used for ${describeOffset(lifetimes.bffSessionIdle)}. Sign in again.`,
          },
          { status: post?.status, error: answer.error, message: answer.message },
        );
        s.expect('no call reached the notes API', undefined, findExchange(exchanges, { to: 'resource-api' })?.status);
        const revocation = findExchange(exchanges, { to: 'authserver', path: '/token/revocation', channel: 'back' });
        s.expect(
          'the BFF revoked the refresh token of the ended session (RFC 7009)',
          { status: 200, token_type_hint: 'refresh_token' },
          { status: revocation?.status, token_type_hint: fieldsOf(revocation?.requestBody).token_type_hint },
        );
        s.expect('and holds no tokens for it any more (read through the lab-only breach route)', undefined, await rawTokensOf(lab, lastTokens));
        s.expect('the answer expired the cookie: the browser holds no bff_session', undefined, (await sessionCookie(browser, spa))?.value);
        s.expect(
          'the app shows its signed-out view, saying why',
          { view: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' },
          { view: shown, notice: (await page.getByRole('status').textContent())?.trim() },
        );
        s.note(
          'Nothing ran at the idle deadline itself: the BFF found the session ended when the next request loaded it (its record says when it ends, judged on the lab clock). A session never used again is freed by the store at its absolute end.',
        );
        s.sees({ browser: 'the signed-out app; no session cookie', bff: 'no session, no tokens', authserver: 'the refresh token revoked' });
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: 'presents a copy of the session cookie from before lunch (another tab, a backup, malware)',
        look: 'not_authenticated: a session that ended stays ended',
      },
      async (s) => {
        const other = await newUserAgent();
        await other.addCookies(copied);
        const response = await other.request.get(`${spa}/bff/user`, { headers: { 'X-CSRF': '1' } });
        const body = (await response.json()) as { error?: string };
        s.expect('GET /bff/user: 401 not_authenticated', { status: 401, error: 'not_authenticated' }, { status: response.status(), error: body.error });
        s.note(
          'The BFF destroyed the record when it found it idle, and remembers the id for a while: a request that loaded the session just before it ended cannot write it back.',
        );
        s.sees({ browser: 'a cookie that points at nothing', bff: 'nothing for that id' });
      },
    );
  },
});
