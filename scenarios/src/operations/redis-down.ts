import { defineScenario } from '../engine/scenario.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { PRODUCTION_SHAPE, callFromPage, redisPid } from '../library/operations.ts';

/** How long a call may take while Redis does not answer: the BFF's command timeout (2 s) and some room. */
const BOUND_MS = 3_500;

/**
 * The shared session store stops answering. A BFF that waited for it would hang every request
 * until the browser gave up; one that treated "no answer" as "no session" would sign everybody
 * out. This one answers at once with a clear, retryable 503 and decides nothing about the session;
 * when Redis answers again, every stored session is simply there.
 */
export const redisDown = defineScenario({
  id: 'ops-redis-down',
  title: 'Redis stops answering: a clear 503 JSON; Redis back: the stored sessions are back',
  kind: 'flow',
  setup: PRODUCTION_SHAPE,
  teaches:
    'A shared session store is a dependency that can fail: the BFF bounds every command (a timeout, no queue while disconnected), answers 503 session_store_unavailable instead of hanging or signing users out, and serves the same sessions again once the store is back.',
  prerequisites: [
    'The Redis set-up: LAB_STORE=redis LAB_BFF_INSTANCES=2 npm start. Sessions and tokens are in Redis.',
    'The operator freezes redis-server with SIGSTOP: its connections stay open and nothing answers, as with a hung server or a network partition (the hardest case: a refused connection is noticed at once). SIGCONT thaws it.',
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const store = await lab.store();
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const spa = topology.spa.url;
    if (store.kind !== 'redis' || !store.url) throw new Error('this scenario needs the Redis set-up (LAB_STORE=redis)');
    const pid = await redisPid(store.url);

    let cookie: string | undefined;
    await step({ actor: 'Resource Owner', action: 'signs in to the app as alice and reads her notes', look: 'her session, stored in Redis' }, async (s) => {
      await signInThroughSpa(page, topology, 'alice');
      cookie = (await sessionCookie(browser, spa))?.value;
      s.expect(
        'her notes answer 200',
        [200],
        (await callFromPage(page, '/api/notes')).map((call) => call.status),
      );
    });

    let frozen = false;
    try {
      await step(
        {
          actor: 'Client: BFF',
          action: 'is called while its session store does not answer (redis-server frozen)',
          look: 'the status, the error code and the time of each answer',
        },
        async (s) => {
          process.kill(pid, 'SIGSTOP');
          frozen = true;
          const notes = await callFromPage(page, '/api/notes');
          const user = await callFromPage(page, '/bff/user');
          const answers = [...notes, ...user];
          s.expect(
            'each call is answered 503 session_store_unavailable',
            [
              { status: 503, error: 'session_store_unavailable' },
              { status: 503, error: 'session_store_unavailable' },
            ],
            answers.map(({ status, error }) => ({ status, error })),
          );
          s.check(
            `within ${BOUND_MS / 1000} s each: no hang`,
            `under ${BOUND_MS} ms`,
            answers.map((call) => call.ms),
            answers.every((call) => call.ms < BOUND_MS),
          );
          s.note('503, not 401: nothing was decided about the session, so the app must not treat alice as signed out; Retry-After says when to try again.');
          s.sees({ browser: 'a retryable error; the same cookie', bff: 'no answer from Redis within its command timeout' });
        },
      );
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
    }

    await step(
      { actor: 'Resource Owner', action: 'tries again once Redis answers (redis-server thawed)', look: 'her notes, on the same session' },
      async (s) => {
        let calls = await callFromPage(page, '/api/notes');
        // The BFF's connection may still be reconnecting for a moment.
        for (let tries = 0; calls[0]?.status === 503 && tries < 20; tries += 1) {
          await page.waitForTimeout(100);
          calls = await callFromPage(page, '/api/notes');
        }
        s.expect(
          'her notes answer 200 again',
          [200],
          calls.map((call) => call.status),
        );
        s.expect('alice is still signed in', 200, (await callFromPage(page, '/bff/user'))[0]?.status);
        s.expect('with the session cookie she had before', cookie, (await sessionCookie(browser, spa))?.value);
      },
    );
  },
});
