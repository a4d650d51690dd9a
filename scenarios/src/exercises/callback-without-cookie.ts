import { defineScenario } from '../engine/scenario.ts';
import { signInUntilCallback } from '../library/held-sign-in.ts';

/**
 * For the exercise on `SameSite=Strict`: the lab has no switch for it, so this plays what it would
 * do. A `Strict` cookie stays behind on the cross-site redirect from the authorization server, so
 * the callback reaches the BFF without the session that holds the login attempt.
 */
export const callbackWithoutCookie = defineScenario({
  id: 'exercise-callback-without-cookie',
  title: 'The callback arrives without the session cookie, as SameSite=Strict would make it',
  kind: 'flow',
  teaches: 'The BFF finds the login attempt (state, nonce, code_verifier) in the session its cookie names.',
  prerequisites: ['alice signs in; her browser is held on the redirect back to /bff/callback.'],
  async run({ topology, newUserAgent, step, fetchAs }) {
    const context = await newUserAgent();
    const page = await context.newPage();
    const { callbackUrl } = await step({ actor: 'Resource Owner', action: 'signs in; her browser is held on the redirect back to the BFF' }, () =>
      signInUntilCallback(context, page, topology, 'alice'),
    );
    await step({ actor: 'User Agent', action: 'delivers the callback without the bff_session cookie, as a Strict cookie would stay behind' }, async (tools) => {
      const response = await fetchAs('user-agent', callbackUrl);
      tools.expect('the BFF finds no login attempt', 400, response.status);
    });
  },
});
