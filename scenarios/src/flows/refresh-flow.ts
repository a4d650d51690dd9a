import { shortenSecret, type TraceEvent } from '@lab/shared';
import { defineScenario, type StepTools } from '../engine/scenario.ts';
import { findExchange, findExchanges, fieldsOf } from '../library/exchanges.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { rawTokensOf, sameSecret, type RawTokens } from '../library/bff-store.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { bffAccessTokenExpiry, laterBy, moveLabTimePast, refreshDueAt } from '../library/time-travel.ts';
import { readLifetimes } from '../library/lifetimes.ts';

const PARALLEL_CALLS = 5;

/**
 * Token refresh on its own (RFC 6749 §6): the BFF renews an expiring access token with the
 * refresh token, on the back channel, and with rotation (RFC 9700 §4.14.2) the refresh token
 * changes every time. The browser's cookie does not change at all.
 */
export const refreshFlow = defineScenario({
  id: 'flow-refresh',
  title: 'Token refresh: a new access token and a rotated refresh token, one refresh at a time',
  kind: 'flow',
  teaches:
    'When the access token is about to expire the BFF uses the refresh token on the back channel and gets a new refresh token too (rotation), so a copy of the old one is stale; the browser keeps the same cookie; and five parallel API calls cause exactly one refresh.',
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    "Access tokens live as long as the lab issues them (5 min, the lab's default); the BFF refreshes a fifth of the lifetime before expiry, at most 5 s. Nobody waits for that: steps 3 and 5 move the lab's clock (every service's, and the browser's) to just before the access token expires.",
    'Refresh-token rotation is on (the defence refresh-rotation).',
    "The attacker's copy of the BFF's store is played with GET /_lab/session-store, a lab-only route: a real BFF has none.",
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const spa = topology.spa.url;
    const browser = await newUserAgent();
    const page = await browser.newPage();

    let signIn: TraceEvent | undefined;
    await step({ actor: 'Resource Owner', action: 'signs in to the app as alice', look: `expires_in=${lifetime} in the token response` }, async (s) => {
      await signInByRequests(page, topology, 'alice');
      const exchanges = await s.exchanges();
      signIn = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
      const body = fieldsOf(signIn?.requestBody);
      s.expect('the BFF redeemed the code', { grant_type: 'authorization_code', status: 200 }, { grant_type: body.grant_type, status: signIn?.status });
      s.expect(`the access token lives ${lifetime} s`, lifetime, fieldsOf(signIn?.responseBody).expires_in);
      s.check(
        'a refresh token came with it',
        'a refresh_token',
        fieldsOf(signIn?.responseBody).refresh_token,
        typeof fieldsOf(signIn?.responseBody).refresh_token === 'string',
      );
      const grants = findExchanges(exchanges, { to: 'authserver', path: '/token' }).map((grant) => fieldsOf(grant.requestBody).grant_type);
      s.expect("the app's first API call used the fresh token: no refresh yet", ['authorization_code'], grants);
      s.sees({ browser: 'bff_session', bff: `an access token (${lifetime} s) and a refresh token` });
    });

    /** "Five minutes later": the lab's clock moves to just after the BFF finds these tokens due for a refresh (a few seconds before they expire). */
    const moveUntilDue = async (s: StepTools, tokens: RawTokens | undefined) => {
      const expiresAt = tokens?.accessTokenExpiresAt ?? (await bffAccessTokenExpiry(page));
      if (expiresAt !== undefined) await moveLabTimePast(s, lab, refreshDueAt(expiresAt, tokens?.accessTokenLifetimeMs ?? lifetime * 1000));
    };

    let stolen: RawTokens | undefined;
    const cookieBefore = (await sessionCookie(browser, spa))?.value;
    await step(
      { actor: 'Attacker', action: "gets a copy of the BFF's session store (played with the lab-only breach route)", look: 'the refresh token in the copy' },
      async (s) => {
        stolen = await rawTokensOf(lab, signIn);
        s.check(
          "the copy holds alice's refresh token, the one issued at sign-in",
          'the refresh token of step 1',
          stolen?.refreshToken?.slice(0, 10),
          sameSecret(stolen?.refreshToken, fieldsOf(signIn?.responseBody).refresh_token),
        );
        s.note('How the copy was made does not matter here (a backup, a dump, a bug). What matters is what it is worth after the next refresh.');
        s.sees({ attacker: "a copy of alice's refresh token", bff: 'the same refresh token, still current' });
      },
    );

    let refresh: TraceEvent | undefined;
    await step(
      {
        actor: 'Client: BFF',
        action: `is asked for /api/notes ${laterBy(lifetime)}, just before the access token expires, and refreshes it first`,
        look: 'the refresh_token grant on the back channel, and the new refresh token',
      },
      async (s) => {
        await moveUntilDue(s, stolen);
        const status = await page.evaluate(async () => (await fetch('/api/notes', { headers: { 'X-CSRF': '1' } })).status);
        const exchanges = await s.exchanges();
        refresh = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        const sent = fieldsOf(refresh?.requestBody);
        const received = fieldsOf(refresh?.responseBody);
        s.expect("the page's call succeeds", 200, status);
        s.expect('the BFF sends grant_type=refresh_token', 'refresh_token', sent.grant_type);
        s.check(
          'authenticated as client bff (HTTP Basic)',
          'Basic base64(bff:…)',
          refresh?.requestHeaders.authorization,
          /^Basic base64\(bff:.+\)$/.test(refresh?.requestHeaders.authorization ?? ''),
        );
        s.check(
          'with the refresh token of step 1',
          'the refresh token the attacker copied',
          sent.refresh_token,
          sameSecret(stolen?.refreshToken, sent.refresh_token),
        );
        s.expect('the authorization server answers with new tokens', 200, refresh?.status);
        s.check(
          'including a new refresh token: rotation',
          'a refresh token different from the one sent',
          { sent: sent.refresh_token, received: received.refresh_token },
          typeof received.refresh_token === 'string' && received.refresh_token !== sent.refresh_token,
        );
        s.expect(`and a new access token for ${lifetime} s`, lifetime, received.expires_in);
        s.expect("the browser's session cookie is unchanged", cookieBefore, (await sessionCookie(browser, spa))?.value);
        s.note('The browser only waited a few milliseconds longer for its notes: the refresh happened between the BFF and the authorization server.');
        s.sees({ browser: 'the same bff_session', bff: 'a new access token and a new refresh token', attacker: 'the old refresh token' });
      },
    );

    let current: RawTokens | undefined;
    await step(
      {
        actor: 'Client: BFF',
        action: 'keeps only the new refresh token (compared through the lab-only breach route)',
        look: 'the stored refresh token before and after the refresh',
      },
      async (s) => {
        current = await rawTokensOf(lab, refresh);
        const returned = fieldsOf(refresh?.responseBody).refresh_token;
        const shown = (token: string | undefined) => (token ? shortenSecret(token) : 'none');
        s.check(
          'the store now holds the refresh token the refresh returned',
          `${String(returned)}`,
          shown(current?.refreshToken),
          sameSecret(current?.refreshToken, returned),
        );
        s.check(
          'not the one the attacker copied',
          `not ${shown(stolen?.refreshToken)}`,
          shown(current?.refreshToken),
          current?.refreshToken !== undefined && current.refreshToken !== stolen?.refreshToken,
        );
        s.check(
          'the access token was replaced too',
          `not ${shown(stolen?.accessToken)}`,
          shown(current?.accessToken),
          current?.accessToken !== undefined && current.accessToken !== stolen?.accessToken,
        );
        s.note(
          'The copied refresh token is now rotated out. Presented again, the authorization server takes it as a replay and revokes the whole grant (RFC 9700 §4.14.2): see the refresh-token attack scenarios.',
        );
        s.sees({ bff: 'only the new refresh token', attacker: 'a refresh token that is already spent' });
      },
    );

    await step(
      {
        actor: 'Client: BFF',
        action: `is sent ${PARALLEL_CALLS} API calls at once ${laterBy(lifetime)}, as the new access token expires, and refreshes only once`,
        look: 'exactly one refresh_token grant for five calls',
      },
      async (s) => {
        await moveUntilDue(s, current);
        // `no-store`: Chromium otherwise holds identical GETs to one URL until the first answers (its
        // HTTP cache lock), so the five calls would reach the BFF one after another, and a BFF
        // without its single flight would pass this step.
        const statuses = await page.evaluate(
          async (count) =>
            Promise.all(Array.from({ length: count }, async () => (await fetch('/api/notes', { headers: { 'X-CSRF': '1' }, cache: 'no-store' })).status)),
          PARALLEL_CALLS,
        );
        const exchanges = await s.exchanges();
        const grants = findExchanges(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        s.expect(`all ${PARALLEL_CALLS} calls succeed`, Array(PARALLEL_CALLS).fill(200), statuses);
        s.expect(
          'the BFF made exactly one refresh_token grant',
          ['refresh_token'],
          grants.map((grant) => fieldsOf(grant.requestBody).grant_type),
        );
        s.check(
          'with the current refresh token',
          'the refresh token of step 4',
          fieldsOf(grants[0]?.requestBody).refresh_token,
          sameSecret(current?.refreshToken, fieldsOf(grants[0]?.requestBody).refresh_token),
        );
        s.expect(
          `and forwarded all ${PARALLEL_CALLS} calls to the API`,
          Array(PARALLEL_CALLS).fill(200),
          findExchanges(exchanges, { to: 'resource-api', path: '/notes' }).map((call) => call.status),
        );
        s.note(
          'Two refreshes with the same refresh token would look exactly like a replay and revoke the grant; so parallel calls of one session wait for the refresh already in flight.',
        );
        s.sees({ browser: 'five answers, the same cookie', bff: 'one more rotation: a new access and refresh token' });
      },
    );
  },
});
