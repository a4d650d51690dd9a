import { defineScenario } from '../engine/scenario.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { findExchange } from '../library/exchanges.ts';
import { PRODUCTION_SHAPE, callFromPage, kill, processAt, refreshGrantsAtAuthserver, waitUntilHealthy, type LabProcess } from '../library/operations.ts';
import { bffAccessTokenExpiry, laterBy, moveLabTimePast } from '../library/time-travel.ts';
import { readLifetimes } from '../library/lifetimes.ts';

/**
 * The authorization server restarts while alice is signed in. Its grants, sessions and refresh
 * tokens are in Redis (an oidc-provider adapter), and its signing and cookie keys are the run's
 * (not made afresh at start): the restarted process knows alice's grant and honours her refresh
 * token, and the API still trusts the tokens signed before. In the default lab the same restart
 * ends her session at the next refresh (e2e/faults.test.ts).
 */
export const authserverRestart = defineScenario({
  id: 'ops-authserver-restart',
  title: "The authorization server restarts: the user's next refresh succeeds, no new sign-in",
  kind: 'flow',
  setup: PRODUCTION_SHAPE,
  teaches:
    'An authorization server that keeps its grants in a shared store and its keys for the whole run loses nothing in a restart: refresh tokens issued before it still work, tokens signed before still verify.',
  prerequisites: [
    'The Redis set-up: LAB_STORE=redis LAB_BFF_INSTANCES=2 npm start. The authorization server stores grants, sessions and refresh tokens in Redis; the launcher gave it its signing key and cookie keys for the run.',
    "Access tokens live as long as the lab issues them (5 min, the lab's default). After the restart the lab's clock (every service's, and the browser's) moves past the access token's expiry, so the next call needs a refresh.",
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const spa = topology.spa.url;

    let cookie: string | undefined;
    let expiresAt: number | undefined;
    await step({ actor: 'Resource Owner', action: 'signs in to the app as alice', look: `expires_in=${lifetime} in the token response` }, async (s) => {
      await signInThroughSpa(page, topology, 'alice');
      cookie = (await sessionCookie(browser, spa))?.value;
      const exchanges = await s.exchanges();
      const signIn = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
      expiresAt = (await rawTokensOf(lab, signIn))?.accessTokenExpiresAt ?? (await bffAccessTokenExpiry(page));
      s.expect(
        'her notes answer 200',
        [200],
        (await callFromPage(page, '/api/notes')).map((call) => call.status),
      );
      s.sees({ authserver: "alice's session, grant and refresh token, in Redis", bff: 'her tokens, in Redis' });
    });

    let before: LabProcess | undefined;
    await step(
      { actor: 'Authorization Server', action: 'is killed with SIGKILL, and the launcher restarts it', look: 'a new process id, the same issuer' },
      async (s) => {
        before = await processAt(lab, topology.authserver.url);
        kill(before);
        const ms = await waitUntilHealthy(topology.authserver.url);
        const after = await processAt(lab, topology.authserver.url);
        s.check('it answers again, as a new process', `not pid ${before.pid}`, after.pid, after.pid !== before.pid);
        s.note(`Back ${ms} ms after the kill. It made no new keys: the launcher gave it the run's signing key and cookie keys.`);
        s.sees({ authserver: 'nothing in memory; everything it issued is still in Redis' });
      },
    );

    await step(
      {
        actor: 'Client: BFF',
        action: `refreshes alice's access token, expired ${laterBy(lifetime)}, at the restarted authorization server`,
        look: 'the refresh_token grant and its 200',
      },
      async (s) => {
        if (expiresAt !== undefined) await moveLabTimePast(s, lab, expiresAt);
        const calls = await callFromPage(page, '/api/notes');
        const grants = refreshGrantsAtAuthserver(await s.exchanges());
        s.expect(
          "the app's call succeeds",
          [200],
          calls.map((call) => call.status),
        );
        s.expect(
          'the restarted authorization server got one refresh_token grant and answered 200',
          [200],
          grants.map((grant) => grant.status),
        );
        s.expect('the session cookie is unchanged: no sign-in', cookie, (await sessionCookie(browser, spa))?.value);
        s.expect('alice is still signed in', 200, (await callFromPage(page, '/bff/user'))[0]?.status);
        s.note('The grant, found in Redis by the refresh token, rotated as usual: a new refresh token, and the old one is spent.');
      },
    );
  },
});
