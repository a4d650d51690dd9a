import { defineScenario, runCli } from '@lab/scenarios';

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

process.exitCode = await runCli(process.argv.slice(2), [brokenOnPurpose]);
