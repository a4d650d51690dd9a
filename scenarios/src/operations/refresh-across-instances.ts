import { defineScenario } from '../engine/scenario.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { findExchange, fieldsOf } from '../library/exchanges.ts';
import { PRODUCTION_SHAPE, callFromPage, refreshGrantsAtAuthserver, servedBy } from '../library/operations.ts';
import { bffAccessTokenExpiry, laterBy, moveLabTimePast, refreshDueAt } from '../library/time-travel.ts';
import { readLifetimes } from '../library/lifetimes.ts';

const PARALLEL_CALLS = 8;

/**
 * Parallel calls of one session land on two BFF instances just as its access token expires.
 * In one process the refresh is single-flight by itself; across processes it is not, and two
 * instances sending the same refresh token is exactly what rotation takes for a replay: the
 * grant is revoked and alice signed out (RFC 9700 §4.14.2). A short lock per session in Redis
 * (SET NX PX, released by compare-and-delete) makes one instance refresh while the other waits
 * for the new tokens in the store.
 */
export const refreshAcrossInstances = defineScenario({
  id: 'ops-refresh-across-instances',
  title: 'Parallel calls of one session on two BFF instances: exactly one refresh, no lost session',
  kind: 'flow',
  setup: PRODUCTION_SHAPE,
  teaches:
    'With several BFF instances, refresh must be single-flight across them: one instance takes the session’s lock in the shared store and refreshes; the others wait and reread the store, so a rotated-out refresh token is never sent.',
  prerequisites: [
    'The Redis set-up: LAB_STORE=redis LAB_BFF_INSTANCES=2 npm start. bff#1 and bff#2 share sessions, tokens and refresh locks in Redis.',
    "Access tokens live as long as the lab issues them (5 min, the lab's default); step 2 moves the lab's clock (both instances', every service's, and the browser's) to just before the access token expires. Refresh-token rotation is on (the defence refresh-rotation).",
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const { instances } = await lab.store();
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const spa = topology.spa.url;

    let cookie: string | undefined;
    let expiresAt: number | undefined;
    let lifetimeMs = lifetime * 1000;
    await step(
      { actor: 'Resource Owner', action: 'signs in to the app as alice', look: `two instances behind one origin, ${lifetime} s access tokens` },
      async (s) => {
        await signInThroughSpa(page, topology, 'alice');
        cookie = (await sessionCookie(browser, spa))?.value;
        const signIn = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        const tokens = await rawTokensOf(lab, signIn);
        expiresAt = tokens?.accessTokenExpiresAt ?? (await bffAccessTokenExpiry(page));
        lifetimeMs = tokens?.accessTokenLifetimeMs ?? lifetimeMs;
        s.check('the lab runs at least two BFF instances', 'two or more', instances.length, instances.length >= 2);
        s.sees({ bff: `${instances.length} instances, one session store` });
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: `sends ${PARALLEL_CALLS} API calls at once ${laterBy(lifetime)}, as the access token expires; the app's origin spreads them over the instances`,
        look: 'how many refresh_token grants the authorization server received',
      },
      async (s) => {
        const marks = await Promise.all(instances.map(async (url) => (await servedBy(lab, url, 0)).lastSeq));
        if (expiresAt !== undefined) await moveLabTimePast(s, lab, refreshDueAt(expiresAt, lifetimeMs));
        const calls = await callFromPage(page, '/api/notes', PARALLEL_CALLS);
        const grants = refreshGrantsAtAuthserver(await s.exchanges());
        const perInstance = await Promise.all(
          instances.map(
            async (url, index) => (await servedBy(lab, url, marks[index] ?? 0)).events.filter((event) => new URL(event.url).pathname === '/api/notes').length,
          ),
        );
        s.expect(
          `all ${PARALLEL_CALLS} calls succeed`,
          Array(PARALLEL_CALLS).fill(200),
          calls.map((call) => call.status),
        );
        s.check(
          'the calls landed on more than one instance',
          'two or more instances served some',
          perInstance,
          perInstance.filter((count) => count > 0).length >= 2,
        );
        s.expect(
          'the authorization server received exactly one refresh_token grant, and answered 200',
          [200],
          grants.map((grant) => grant.status),
        );
        s.check(
          'no invalid_grant anywhere: no rotated-out refresh token was sent',
          'no 400 invalid_grant',
          grants.map((grant) => fieldsOf(grant.responseBody).error ?? 'ok'),
          grants.every((grant) => fieldsOf(grant.responseBody).error === undefined),
        );
        s.note(
          `Calls per instance: ${perInstance.map((count, index) => `bff#${index + 1}: ${count}`).join(', ')}. The instance that lost the race for the lock waited for the new tokens in Redis.`,
        );
        s.sees({ bff: 'one new access token and one new refresh token, used by every instance' });
      },
    );

    await step({ actor: 'Resource Owner', action: 'goes on using the app', look: 'the same session, still signed in' }, async (s) => {
      s.expect('alice is still signed in', 200, (await callFromPage(page, '/bff/user'))[0]?.status);
      s.expect('the session cookie never changed', cookie, (await sessionCookie(browser, spa))?.value);
    });
  },
});
