import { defineScenario } from '../engine/scenario.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { PRODUCTION_SHAPE, callFromPage, kill, processAt, servedBy, waitUntilHealthy, type LabProcess } from '../library/operations.ts';

const CALLS = 6;
/** How often the app's origin asks each BFF instance's /healthz (spa/server/bff-balancer.ts). */
const BALANCER_CHECK_MS = 1_000;

/**
 * A BFF instance dies mid-session. With the sessions in a shared store (Redis) and a balancer in
 * front of two instances, the user does not notice: the other instance serves her session, and
 * the restarted one serves it too, as soon as it is back. Compare the default lab
 * (e2e/faults.test.ts): there a BFF restart signs everyone out.
 */
export const bffRestart = defineScenario({
  id: 'ops-bff-restart',
  title: 'A BFF instance is killed mid-session: the next calls succeed on the same session',
  kind: 'flow',
  setup: PRODUCTION_SHAPE,
  teaches:
    'A BFF that keeps its sessions in a shared store (Redis), behind a balancer, can lose an instance without losing a user: the cookie names a session any instance can load, and a restarted instance loads it too.',
  prerequisites: [
    'The Redis set-up: LAB_STORE=redis LAB_BFF_INSTANCES=2 npm start. Sessions and tokens are in Redis; bff#1 and bff#2 serve the app behind its origin, round robin.',
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    'The operator kills a process with SIGKILL, as a crash or the out-of-memory killer would; the launcher restarts it by itself.',
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const { instances } = await lab.store();
    const victimUrl = instances[instances.length - 1] ?? topology.bff.url;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const spa = topology.spa.url;

    let cookie: string | undefined;
    await step(
      { actor: 'Resource Owner', action: 'signs in to the app as alice and reads her notes', look: 'the bff_session cookie: an opaque id' },
      async (s) => {
        await signInThroughSpa(page, topology, 'alice');
        cookie = (await sessionCookie(browser, spa))?.value;
        s.check('the browser holds a session cookie', 'bff_session', cookie ? 'bff_session' : 'none', cookie !== undefined);
        s.expect(
          'her notes answer 200',
          [200],
          (await callFromPage(page, '/api/notes')).map((call) => call.status),
        );
        s.sees({ browser: 'bff_session (an id)', bff: "alice's session and tokens, in Redis: not in either instance's memory" });
      },
    );

    let victim: LabProcess | undefined;
    await step(
      { actor: 'Client: BFF', action: 'loses one instance: the operator kills it with SIGKILL', look: 'the process id of the instance killed' },
      async (s) => {
        victim = await processAt(lab, victimUrl);
        kill(victim);
        s.note(`Killed ${victim.instance ?? 'bff'} (pid ${victim.pid}) at ${victimUrl}: no shutdown, no chance to save anything.`);
        s.check('it was one of the BFF instances', 'a bff instance', victim.instance, victim.service === 'bff');
        s.sees({ bff: `one instance fewer; ${victim.instance} had nothing of its own to lose` });
      },
    );

    await step(
      { actor: 'Resource Owner', action: `keeps using the app: ${CALLS} calls right after the kill`, look: 'every status, and how long each took' },
      async (s) => {
        const calls = [];
        for (let n = 0; n < CALLS; n += 1) calls.push(...(await callFromPage(page, '/api/notes')));
        s.expect(
          `all ${CALLS} calls answer 200`,
          Array(CALLS).fill(200),
          calls.map((call) => call.status),
        );
        s.check(
          'each within 2 s',
          'under 2000 ms each',
          calls.map((call) => call.ms),
          calls.every((call) => call.ms < 2_000),
        );
        s.expect('with the same session cookie', cookie, (await sessionCookie(browser, spa))?.value);
        s.note("The app's origin skips an instance that refuses connections, and tries a bodiless call again on another one.");
        s.sees({ browser: 'the same cookie; no sign-in page', bff: 'the surviving instance loads alice’s session from Redis' });
      },
    );

    let mark = 0;
    await step(
      { actor: 'Client: BFF', action: 'comes back: the launcher restarts the killed instance', look: 'a new process id on the same port' },
      async (s) => {
        const ms = await waitUntilHealthy(victimUrl);
        const back = await processAt(lab, victimUrl);
        mark = (await servedBy(lab, victimUrl, 0)).lastSeq;
        s.check('the instance answers again, as a new process', `not pid ${victim?.pid}`, back.pid, back.pid !== victim?.pid);
        s.note(`${back.instance ?? 'bff'} answered its health check ${ms} ms after this step began.`);
        // The app's origin asks each instance's /healthz every second, and sends it traffic again once it answers.
        await new Promise((resolve) => setTimeout(resolve, BALANCER_CHECK_MS + 200));
        s.note("The app's origin checks every instance's /healthz each second: from its next check on, it sends the instance traffic again.");
        s.sees({ bff: `${back.instance} is back, with empty memory: it keeps nothing of its own` });
      },
    );

    await step(
      { actor: 'Resource Owner', action: 'goes on: the restarted instance serves her existing session', look: 'the calls the restarted instance answered' },
      async (s) => {
        const calls = [];
        for (let n = 0; n < CALLS; n += 1) calls.push(...(await callFromPage(page, '/api/notes')));
        const served = (await servedBy(lab, victimUrl, mark)).events.filter((event) => new URL(event.url).pathname === '/api/notes');
        s.expect(
          `all ${CALLS} calls answer 200`,
          Array(CALLS).fill(200),
          calls.map((call) => call.status),
        );
        s.check(
          'the restarted instance served some of them, with 200',
          'at least one 200 from it',
          served.map((event) => event.status),
          served.length > 0 && served.every((event) => event.status === 200),
        );
        s.expect('the session cookie never changed', cookie, (await sessionCookie(browser, spa))?.value);
        s.expect('and alice is still signed in', 200, (await callFromPage(page, '/bff/user'))[0]?.status);
      },
    );
  },
});
