import { defineScenario } from '../engine/scenario.ts';
import { describeOffset } from '../lab-time.ts';
import { findExchange, findExchanges, fieldsOf } from '../library/exchanges.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { addNoteInApp, bffSessionOf, callAppApi, iso, labNow, readLifetimes, type BffSessionView } from '../library/lifetimes.ts';

/**
 * The BFF session's absolute lifetime (OWASP Session Management Cheat Sheet, "Absolute timeout"):
 * however busy, a session ends `BFF_SESSION_TTL` after its sign-in. Without it, a session kept
 * busy (by its user, or by whoever stole its cookie) would live for ever.
 */
export const bffAbsoluteTimeout = defineScenario({
  id: 'lifetime-bff-absolute',
  title: 'BFF session absolute lifetime: even a busy session ends 8 h after its sign-in',
  kind: 'flow',
  teaches:
    'Activity moves only the idle deadline, never the absolute end: a session used every few minutes all day still ends BFF_SESSION_TTL after its sign-in, with 401 session_expired, and its user signs in again. A stolen cookie kept busy is worth no more than that.',
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "The lifetimes are the lab's, read from GET /_lab/settings: the BFF session's idle timeout (BFF_SESSION_IDLE, 30 min by default) and its absolute lifetime (BFF_SESSION_TTL, 8 h).",
    "A working day passes by moving the lab's clock, in steps shorter than the idle timeout, with a call after each: nobody waits.",
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const spa = topology.spa.url;
    const lifetimes = await readLifetimes(lab);
    // Well inside the idle timeout (which a call moves at most once a minute).
    const pause = Math.max(60, lifetimes.bffSessionIdle - 120);
    const browser = await newUserAgent();
    const page = await browser.newPage();

    let signedIn: BffSessionView = { status: 0 };
    await step({ actor: 'Resource Owner', action: 'signs in to the app as alice', look: 'absoluteExpiresAt: the end no activity moves' }, async (s) => {
      await signInByRequests(page, topology, 'alice');
      signedIn = await bffSessionOf(page);
      s.expect('GET /bff/user answers for alice', { status: 200, sub: 'alice' }, { status: signedIn.status, sub: signedIn.sub });
      s.expect(
        `absoluteExpiresAt: ${describeOffset(lifetimes.bffSession)} after the sign-in (BFF_SESSION_TTL)`,
        iso((signedIn.signedInAt ?? 0) + lifetimes.bffSession * 1000),
        iso(signedIn.absoluteExpiresAt),
      );
      s.sees({ browser: 'bff_session (HttpOnly)', bff: "alice's session, signed in now; her tokens" });
    });

    let last: BffSessionView = { status: 0 };
    await step(
      {
        actor: 'Resource Owner',
        action: `works all day: every ${describeOffset(pause)} (the clock moves that much, less than the idle timeout) she adds a note`,
        look: 'every call succeeds, each moves the idle deadline; the absolute end stays where it was',
      },
      async (s) => {
        const end = signedIn.absoluteExpiresAt ?? 0;
        const rounds = Math.floor((end - (await labNow(lab)) - 60_000) / (pause * 1000));
        const statuses: number[] = [];
        for (let round = 1; round <= rounds; round += 1) {
          await s.moveLabTime(pause);
          statuses.push((await callAppApi(page, 'POST', '/api/notes', { text: `Work, part ${round}` })).status);
        }
        last = await bffSessionOf(page);
        const refreshes = findExchanges(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        s.expect(`all ${rounds} notes are saved: 201 each`, Array(rounds).fill(201), statuses);
        s.expect(
          `the BFF refreshed the access token at each call (it lives ${describeOffset(lifetimes.accessToken)}), rotating the refresh token each time`,
          Array(rounds).fill({ grant_type: 'refresh_token', status: 200 }),
          refreshes.map((refresh) => ({ grant_type: fieldsOf(refresh.requestBody).grant_type, status: refresh.status })),
        );
        s.expect('absoluteExpiresAt has not moved', iso(signedIn.absoluteExpiresAt), iso(last.absoluteExpiresAt));
        s.expect(
          'idleExpiresAt: the last call moved it past the absolute end, so it reads the absolute end: that comes first now',
          iso(signedIn.absoluteExpiresAt),
          iso(last.idleExpiresAt),
        );
        s.note(`The last call was ${describeOffset(Math.round((end - (await labNow(lab))) / 1000))} before the absolute end.`);
        s.sees({ browser: 'the same bff_session all day', bff: 'the idle deadline moved at each call; the absolute end fixed' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'adds one more note, just past the absolute end (the clock moves to 1 s past it)',
        look: '401 session_expired, although her last call was minutes ago',
      },
      async (s) => {
        const gap = Math.ceil(((signedIn.absoluteExpiresAt ?? 0) - (await labNow(lab))) / 1000) + 1;
        await s.moveLabTime(gap);
        const shown = await addNoteInApp(page, 'One more thing');
        const exchanges = await s.exchanges();
        const post = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/api/notes' });
        const answer = fieldsOf(post?.responseBody);
        s.expect(
          'POST /api/notes: 401 session_expired, saying why',
          {
            status: 401,
            error: 'session_expired',
            message: `Your session has ended: it reached its maximum lifetime of ${describeOffset(lifetimes.bffSession)}. Sign in again.`,
          },
          { status: post?.status, error: answer.error, message: answer.message },
        );
        s.expect(
          'the BFF did not even try a refresh: it judged its own session first',
          [],
          findExchanges(exchanges, { to: 'authserver', path: '/token', channel: 'back' }).map((exchange) => exchange.status),
        );
        s.expect(
          "and had nothing left to revoke: the tokens' store entry lives as long as the session may, and ended with it",
          undefined,
          findExchange(exchanges, { to: 'authserver', path: '/token/revocation' })?.status,
        );
        s.expect('the answer expired the cookie: the browser holds no bff_session', undefined, (await sessionCookie(browser, spa))?.value);
        s.expect('the app shows its signed-out view', 'signed-out', shown);
        s.note(
          `The authorization server's session began at the same sign-in and lives ${describeOffset(lifetimes.authServerSession)} too: it ended in the same second, and the BFF's refresh token with it (no offline_access: it expires with that session). See lifetime-authserver-session.`,
        );
        s.sees({ browser: 'the signed-out app; no session cookie', bff: 'no session, no tokens' });
      },
    );
  },
});
