import { defineScenario, findScenario, runCli } from '@lab/scenarios';
import { breakSignIn } from './break-sign-in.ts';

/**
 * A scenario whose expectation is wrong on purpose: it claims /bff/user answers 200 to a browser
 * that never signed in. The CLI must report it and exit 1.
 */
const brokenOnPurpose = defineScenario({
  id: 'broken-on-purpose',
  title: 'An expectation that does not hold',
  kind: 'flow',
  teaches: 'Nothing: it checks that a failed expectation fails the run.',
  prerequisites: ['Nobody is signed in.'],
  async run({ topology, step, fetchAs }) {
    await step({ actor: 'Client: SPA', action: 'asks who is signed in' }, async (s) => {
      const response = await fetchAs('user-agent', `${topology.spa.url}/bff/user`, { headers: { 'X-CSRF': '1' } });
      s.expect('GET /bff/user answers 200 for an anonymous browser', 200, response.status);
    });
  },
});

/** A weakened attack run whose sign-in fails on purpose (see break-sign-in.ts): it must not count as a refused attack. */
const brokenSignIn = breakSignIn(findScenario('attack-session-fixation-weakened')!);

process.exitCode = await runCli(process.argv.slice(2), [brokenOnPurpose, brokenSignIn]);
