import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { describeOffset } from '../lab-time.ts';
import { findExchange, fieldsOf } from '../library/exchanges.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { addNoteInApp, bffSessionOf, iso, labNow, readLifetimes, type BffSessionView } from '../library/lifetimes.ts';

/**
 * The refresh token's own lifetime (RFC 6749 §1.5, §6): when it has expired, the BFF cannot get a
 * new access token any more, even though its own session is alive. The next API call that needs a
 * refresh gets `invalid_grant` from the authorization server, and the user gets `401
 * session_expired` from the BFF: the BFF session ends with its tokens.
 */
export const refreshTokenExpiry = defineScenario({
  id: 'lifetime-refresh-token',
  title: 'Refresh token expiry: the BFF session is alive, but its tokens can no longer be renewed',
  kind: 'flow',
  teaches:
    "A refresh token has a lifetime of its own at the authorization server. With rotation, each refresh hands out a new one with the whole lifetime again, so a session that refreshes often keeps going; one idle for longer than that lifetime (yet inside the BFF's idle timeout) finds its refresh token expired: invalid_grant at the token endpoint, 401 session_expired at the BFF, the cookie cleared and the tokens gone.",
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "For this run, refresh tokens live twice as long as access tokens (the run setting refreshTokenTtlSeconds: 600 s with the lab's 300 s access tokens), less than the BFF session's idle timeout (30 min): the refresh token is what runs out first.",
    'Refresh-token rotation is on (the defence refresh-rotation): every refresh returns a new refresh token, which gets the whole lifetime again.',
    "Time passes by moving the lab's clock: every service and the browser together, and nobody waits.",
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const spa = topology.spa.url;
    const base = await readLifetimes(lab);
    const refreshTtl = 2 * base.accessToken;
    if (refreshTtl < 60 || refreshTtl >= base.bffSessionIdle) {
      throw new Error(
        `this story needs refresh tokens (2 × ${base.accessToken} s) that live at least 60 s and less than the BFF's idle timeout (${base.bffSessionIdle} s)`,
      );
    }
    await lab.update('authserver', { refreshTokenTtlSeconds: refreshTtl });
    const lifetimes = await readLifetimes(lab);
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const refreshOf = async (exchanges: Promise<TraceEvent[]>) => findExchange(await exchanges, { to: 'authserver', path: '/token', channel: 'back' });

    let tokens: TraceEvent | undefined;
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app as alice',
        look: `the token response: an access token for ${describeOffset(lifetimes.accessToken)}, and a refresh token`,
      },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        tokens = await refreshOf(s.exchanges());
        const body = fieldsOf(tokens?.responseBody);
        s.expect(
          'the BFF redeemed the code: an access token and a refresh token',
          { grant_type: 'authorization_code', status: 200, expires_in: lifetimes.accessToken, refresh_token: true },
          {
            grant_type: fieldsOf(tokens?.requestBody).grant_type,
            status: tokens?.status,
            expires_in: body.expires_in,
            refresh_token: typeof body.refresh_token === 'string',
          },
        );
        s.expect(`the lab's refresh tokens live ${describeOffset(lifetimes.refreshToken)} in this run`, refreshTtl, lifetimes.refreshToken);
        s.note(
          'The token response says how long the access token lives (expires_in), not the refresh token: oidc-provider sends no refresh-token lifetime, and the BFF does not need one. It learns at the first refresh that fails.',
        );
        s.sees({
          browser: 'bff_session',
          bff: 'an access token and a refresh token',
          authserver: `the refresh token, valid for ${describeOffset(refreshTtl)}`,
        });
      },
    );

    const pause = describeOffset(lifetimes.accessToken + 1);
    for (const [round, story] of [
      [1, `${pause} after the sign-in (the clock moves ${pause}: the access token has expired)`],
      [
        2,
        `${pause} later again, ${describeOffset(2 * lifetimes.accessToken + 2)} after the sign-in (the clock moves ${pause}: longer than a refresh token lives)`,
      ],
    ] as const) {
      await step(
        {
          actor: 'Client: BFF',
          action: `is asked to save alice's next note ${story}, and refreshes first`,
          look:
            round === 1 ? 'a new refresh token in the answer: rotation' : 'the refresh token of the previous step still works: it got the whole lifetime again',
        },
        async (s) => {
          await s.moveLabTime(lifetimes.accessToken + 1);
          const saved = await addNoteInApp(page, `Note ${round}`);
          const refresh = await refreshOf(s.exchanges());
          const sent = fieldsOf(refresh?.requestBody);
          const received = fieldsOf(refresh?.responseBody);
          s.expect('the note is saved', 'saved', saved);
          s.expect(
            'the BFF refreshes: grant_type=refresh_token, 200',
            { grant_type: 'refresh_token', status: 200 },
            { grant_type: sent.grant_type, status: refresh?.status },
          );
          s.expect(
            round === 1 ? 'with the refresh token of the sign-in' : 'with the refresh token the previous refresh returned',
            fieldsOf(tokens?.responseBody).refresh_token,
            sent.refresh_token,
          );
          s.check(
            'and gets a new one back (rotation)',
            'a refresh token different from the one sent',
            received.refresh_token,
            typeof received.refresh_token === 'string' && received.refresh_token !== sent.refresh_token,
          );
          if (round === 1) {
            s.note(
              `What the lab does: each rotated refresh token gets the whole ${describeOffset(refreshTtl)} again (oidc-provider's default for a confidential, sender-constrained client like the BFF; a public client's would keep its predecessor's end). So the refresh token's lifetime bounds how long the BFF may go without refreshing, not how long the session lasts: that bound is the authorization server's session (the BFF asks for no offline_access, so its refresh tokens end with that session) and the BFF session's own lifetimes.`,
            );
          } else {
            s.note(
              `The refresh token of the sign-in would have expired ${describeOffset(2 * lifetimes.accessToken + 2 - refreshTtl)} ago; the one rotated in the previous step is only ${describeOffset(lifetimes.accessToken + 1)} old.`,
            );
          }
          tokens = refresh;
          s.sees({ bff: 'a new access token and a new refresh token', authserver: `the new refresh token, valid for ${describeOffset(refreshTtl)} from now` });
        },
      );
    }

    let alive: BffSessionView = { status: 0 };
    await step(
      {
        actor: 'Resource Owner',
        action: `is away ${describeOffset(refreshTtl + 1)} (the clock moves that much: longer than a refresh token lives, shorter than the BFF's idle timeout), then adds a note`,
        look: 'invalid_grant at the token endpoint, then 401 session_expired from the BFF',
      },
      async (s) => {
        alive = await bffSessionOf(page);
        const landing = (await labNow(lab)) + (refreshTtl + 1) * 1000;
        await s.moveLabTime(refreshTtl + 1);
        const shown = await addNoteInApp(page, 'Still there?');
        const exchanges = await s.exchanges();
        const refresh = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        const post = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/api/notes' });
        s.check(
          'the BFF session is alive where the clock lands: its idle deadline (read before the jump) is later',
          `after ${iso(landing)}`,
          iso(alive.idleExpiresAt),
          alive.status === 200 && (alive.idleExpiresAt ?? 0) > landing,
        );
        s.expect(
          'the BFF tries to refresh; the authorization server refuses: invalid_grant (RFC 6749 §5.2)',
          { grant_type: 'refresh_token', status: 400, error: 'invalid_grant' },
          { grant_type: fieldsOf(refresh?.requestBody).grant_type, status: refresh?.status, error: fieldsOf(refresh?.responseBody).error },
        );
        s.expect(
          'the BFF answers the app 401 session_expired',
          { status: 401, error: 'session_expired' },
          { status: post?.status, error: fieldsOf(post?.responseBody).error },
        );
        s.expect('no call reached the notes API', undefined, findExchange(exchanges, { to: 'resource-api' })?.status);
        s.expect('the BFF holds no tokens for the session any more (read through the lab-only breach route)', undefined, await rawTokensOf(lab, tokens));
        s.expect('the answer expired the cookie: the browser holds no bff_session', undefined, (await sessionCookie(browser, spa))?.value);
        s.expect('the app shows its signed-out view', 'signed-out', shown);
        s.note(
          'Nothing to revoke: the refresh token is dead already. The BFF session is over because a session without tokens can do nothing; alice signs in again (without her password, while the authorization server still knows her: see lifetime-authserver-session).',
        );
        s.sees({ browser: 'the signed-out app; no session cookie', bff: 'no session, no tokens', authserver: 'an expired refresh token' });
      },
    );
  },
});
