import { describe, expect, it } from 'vitest';
import { defineScenario, type ScenarioResult } from '../../src/engine/scenario.ts';
import { exchangesProving } from '../../src/report/decisive-exchanges.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { APP, bffSignIn, exchange } from './fixtures.ts';

const forged = () => [
  exchange({ from: 'user-agent', to: 'attacker', method: 'GET', url: 'http://[::1]:6660/csrf' }),
  exchange({
    from: 'user-agent',
    to: 'bff',
    method: 'POST',
    url: `${APP}/api/notes`,
    status: 403,
    responseBody: '{"error":"csrf_header_missing","message":"…"}',
  }),
  exchange({ from: 'user-agent', to: 'bff', method: 'GET', url: `${APP}/api/notes`, status: 401, responseBody: '{"error":"not_authenticated","message":"…"}' }),
  exchange({ from: 'user-agent', to: 'bff', method: 'POST', url: `${APP}/api/notes`, status: 201, responseBody: '{"id":"n9"}' }),
];

describe('the exchanges an expectation is about', () => {
  it('are those that answered with the error code it names', () => {
    const expectation = { name: 'refused', expected: [], actual: [{ status: 403, error: 'csrf_header_missing' }], pass: true };
    expect(exchangesProving(expectation, forged())).toEqual([1]);
    expect(exchangesProving({ ...expectation, actual: 'not_authenticated' }, forged())).toEqual([2]);
  });

  it('by status only for a refusal or a redirect, or for the leak of a weakened run', () => {
    expect(exchangesProving({ name: 'refused', expected: 401, actual: 401, pass: true }, forged())).toEqual([2]);
    expect(exchangesProving({ name: 'the page loads', expected: 200, actual: 200, pass: true }, forged())).toEqual([]);
    expect(exchangesProving({ name: 'the forged write', expected: 201, actual: 201, pass: true, leak: true }, forged())).toEqual([3]);
  });

  it('none when it is about something else, or names a code no exchange answered', () => {
    expect(exchangesProving({ name: 'nothing reaches the API', expected: 0, actual: 0, pass: true }, forged())).toEqual([]);
    expect(exchangesProving({ name: 'refused', expected: 'x', actual: { status: 401, error: 'invalid_state' }, pass: false }, forged())).toEqual([]);
  });
});

describe('an attack report', () => {
  const scenario = defineScenario({
    id: 'attack-example',
    title: 'An example attack',
    kind: 'attack',
    teaches: 'x',
    prerequisites: [],
    run: async () => undefined,
  });
  const result: ScenarioResult = {
    id: 'attack-example',
    title: 'An example attack',
    kind: 'attack',
    pass: true,
    weakened: [],
    mode: 'bff',
    durationMs: 10,
    steps: [
      { number: 1, actor: 'Resource Owner', action: 'signs in to the app', notes: [], exchanges: bffSignIn(), expectations: [] },
      {
        number: 2,
        actor: 'Resource Owner',
        action: "opens Mallory's page",
        notes: [],
        exchanges: forged(),
        expectations: [{ name: 'the BFF refuses it', expected: 'csrf_header_missing', actual: 'csrf_header_missing', pass: true }],
      },
    ],
    expectations: [{ name: 'the BFF refuses it', expected: 'csrf_header_missing', actual: 'csrf_header_missing', pass: true }],
  };
  const signIn = bffSignIn().length;
  const html = renderReport(scenario, { ...result, expectations: result.steps.flatMap((step) => step.expectations) }, { appOrigin: APP });

  it('folds the sign-in into one group, in the steps and in the diagram', () => {
    expect(html).toContain(`<details class="sign-in"><summary>The sign-in, as usual: ${signIn} exchanges (1–${signIn})</summary>`);
    expect(html).toContain(`the sign-in, as usual: ${signIn} exchanges, in one group`);
  });

  it('highlights the decisive exchange and links it from the expectation it proves, both ways', () => {
    const decisive = signIn + 2;
    expect(html).toContain(`<tr class="front decisive" id="exchange-${decisive}">`);
    expect(html.match(/class="front decisive"/g)).toHaveLength(1);
    expect(html).toContain(`shown by exchange <a href="#exchange-${decisive}">${decisive}</a>`);
    expect(html).toContain(`<a href="#exchange-${decisive}" id="diagram-${decisive}">`);
    expect(html).toContain(`<a class="to-diagram" href="#diagram-${decisive}">`);
  });
});
