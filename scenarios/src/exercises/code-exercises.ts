import { describeExchange, exchangeInStep, exchangesInStep, joinOutcomes, outcomeOf, verdictLines } from './evidence.ts';
import { defineExercise, type Exercise } from './exercise.ts';

/**
 * Hands-on: the learner breaks one defence in the BFF's code, and the scenario that exercises it
 * says what now gets through. Whether the change is in place is read from that scenario's result
 * against a lab built from the working tree, never from a flag: a change that breaks nothing is
 * "not in place" (exit status 3), whatever was edited.
 */
export const CODE_EXERCISES: readonly Exercise[] = [
  defineExercise({
    id: 'code-drop-state-check',
    title: 'Hands-on: take the state check out of the callback',
    code: {
      file: 'bff/src/complete-login.ts',
      task: "In `findAttempt`, make the BFF skip its `state` check, as if it had never been written: change `if (defences.isOn('state')) {` to `if (false) {`.",
      scenario: 'attack-code-injection',
      example: { find: "  if (defences.isOn('state')) {", replace: '  if (false) {' },
    },
    question: () =>
      "With the check gone, alice's browser delivers Mallory's callback (her `code` and `state`) to `/bff/callback`. What does the BFF answer now? (`attack-code-injection`, step 3)",
    prediction: statusAndCode(),
    answer: '400 invalid_grant',
    why: "Without `state`, the BFF takes the callback as the end of a login alice's browser never started, and redeems Mallory's code without a `code_verifier`. PKCE still refuses it at the token endpoint: 400 invalid_grant instead of 400 invalid_state, and the scenario fails on the exact code. One defence gone, the next one caught it; the weakened twin shows what happens when PKCE is off too.",
    scenario: 'attack-code-injection',
    async settle({ scenario }) {
      const result = await scenario('attack-code-injection');
      const callback = exchangeInStep(result, 3, { to: 'bff', path: '/bff/callback' });
      const tokenRequests = exchangesInStep(result, 3, { from: 'bff', path: '/token' });
      return {
        changeInPlace: !result.pass,
        answer: outcomeOf(callback),
        evidence: [describeExchange(callback), ...tokenRequests.map(describeExchange), ...verdictLines(result)],
      };
    },
  }),
  defineExercise({
    id: 'code-widen-return-to',
    title: 'Hands-on: widen the returnTo rule',
    code: {
      file: 'bff/src/return-to.ts',
      task: 'Widen the rule as a hurried "let our partner sites in" change would: make the first line of `toLocalPath` `if (URL.canParse(value)) return value;`.',
      scenario: 'attack-open-redirect',
      example: {
        find: 'export function toLocalPath(value: string, appOrigin: string): string | undefined {\n',
        replace: 'export function toLocalPath(value: string, appOrigin: string): string | undefined {\n  if (URL.canParse(value)) return value;\n',
      },
    },
    question: ({ spa, attacker }) =>
      `With the wider rule, what does \`GET ${spa.url}/bff/login?returnTo=${attacker.url}/landing\` answer now? (\`attack-open-redirect\`, step 2)`,
    prediction: { kind: 'short', asks: 'status, and error code if any' },
    answer: '302',
    why: "The BFF now starts the login and keeps the foreign `returnTo` with it: after a genuine sign-in the callback sends alice to Mallory's page (an open redirector, RFC 9700 §4.11), where a look-alike page can ask for her password again.",
    scenario: 'attack-open-redirect',
    async settle({ scenario }) {
      const result = await scenario('attack-open-redirect');
      const login = exchangeInStep(result, 2, { to: 'bff', path: '/bff/login' });
      return { changeInPlace: !result.pass, answer: outcomeOf(login), evidence: [describeExchange(login), ...verdictLines(result)] };
    },
  }),
  defineExercise({
    id: 'code-drop-csrf-header',
    title: 'Hands-on: take the X-CSRF check out of the BFF',
    code: {
      file: 'bff/src/middleware/require-csrf-header.ts',
      task: "Delete the line that refuses a request without the header: `if (defences.isOn('csrf-header') && ctx.get('X-CSRF') !== '1') throw new CsrfHeaderMissingError();`.",
      scenario: 'attack-csrf',
      example: { find: "    if (defences.isOn('csrf-header') && ctx.get('X-CSRF') !== '1') throw new CsrfHeaderMissingError();\n", replace: '' },
    },
    question: ({ attacker }) =>
      `With the check gone, alice opens Mallory's prize page (${attacker.url}/csrf) while signed in. What do its three forged requests to \`/api/notes\` (two POSTs, one GET) get now? (\`attack-csrf\`, step 2)`,
    prediction: statusAndCode(),
    answer: '415 unsupported_media_type, 401 not_authenticated',
    why: 'The header check was the first layer; two more still hold. The proxy takes request bodies only as `application/json`, which a cross-site form or a CORS-free `fetch` cannot send: 415 for the forged POSTs. And the session cookie is `SameSite=Lax`: the browser leaves it off the cross-site GET, so the BFF sees an anonymous caller: 401. The scenario fails all the same, on the exact code: one layer is gone. `attack-csrf-weakened` shows what gets through when the layers are off.',
    scenario: 'attack-csrf',
    async settle({ scenario }) {
      const result = await scenario('attack-csrf');
      const forged = exchangesInStep(result, 2, { from: 'user-agent', to: 'bff', path: '/api/notes' });
      return {
        changeInPlace: !result.pass,
        answer: joinOutcomes(forged.map(outcomeOf)),
        evidence: [...forged.map(describeExchange), ...verdictLines(result)],
      };
    },
  }),
  defineExercise({
    id: 'code-drop-refresh-single-flight',
    title: 'Hands-on: drop the refresh single flight',
    code: {
      file: 'bff/src/session-tokens.ts',
      task: 'Let every request refresh on its own: make the body of `#refreshFrom` just `return this.#refresh(sid, seen);`.',
      scenario: 'flow-refresh',
      example: {
        find: '  async #refreshFrom(sid: string, seen: StoredTokens): Promise<StoredTokens> {\n',
        replace: '  async #refreshFrom(sid: string, seen: StoredTokens): Promise<StoredTokens> {\n    return this.#refresh(sid, seen);\n',
      },
    },
    question: () =>
      'Five API calls of one session find the access token expired at the same moment (`flow-refresh`, step 5). What does the authorization server answer the refresh_token grants after the first?',
    prediction: statusAndCode(),
    answer: '400 invalid_grant',
    why: "Every call sends the same refresh token. The first rotates it; the others present a token already rotated out, which looks exactly like a replay (RFC 9700 §4.14.2): invalid_grant, and the authorization server revokes the whole grant. alice's own app signed her out with its parallel calls.",
    scenario: 'flow-refresh',
    async settle({ scenario }) {
      const result = await scenario('flow-refresh');
      const grants = exchangesInStep(result, 5, { from: 'bff', path: '/token' });
      const later = grants.slice(1);
      return {
        changeInPlace: !result.pass,
        answer: later.length > 0 ? joinOutcomes(later.map(outcomeOf)) : 'one grant only',
        evidence: [`${grants.length} refresh_token grant(s) in step 5:`, ...grants.map(describeExchange), ...verdictLines(result)],
      };
    },
  }),
];

function statusAndCode() {
  return { kind: 'short', asks: 'status and error code (e.g. 400 some_code)' } as const;
}
