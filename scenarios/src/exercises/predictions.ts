import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findScenario } from '../registry.ts';
import { REPO_ROOT } from './repo-root.ts';
import { callbackWithoutCookie } from './callback-without-cookie.ts';
import { describeExchange, exchangeInStep, joinOutcomes, outcomeOf, verdictLines } from './evidence.ts';
import { defineExercise, type Exercise } from './exercise.ts';

const statusAndCode = { kind: 'short', asks: 'status and error code (e.g. 400 some_code)' } as const;

/** The 13 exercises of docs/workshop.md: predict, then let the lab answer. */
export const PREDICTION_EXERCISES: readonly Exercise[] = [
  defineExercise({
    id: 'csrf-header-first',
    title: 'An API call with no cookie and no header',
    question: ({ spa }) => `\`curl -i ${spa.url}/api/notes\`, with no cookie and no header: what status and error code? And the same with \`-H 'X-CSRF: 1'\`?`,
    prediction: { kind: 'short', asks: 'two results, each a status and error code' },
    answer: '403 csrf_header_missing, 401 not_authenticated',
    why: 'The X-CSRF header check runs before the session check: without the header the BFF answers 403 csrf_header_missing whoever asks; with it, there is no session: 401 not_authenticated.',
    async settle({ topology, record }) {
      const exchanges = await record(async (fetchAs) => {
        await fetchAs('user-agent', `${topology.spa.url}/api/notes`);
        await fetchAs('user-agent', `${topology.spa.url}/api/notes`, { headers: { 'X-CSRF': '1' } });
      });
      const calls = exchanges.filter((event) => event.to === 'bff');
      return { answer: joinOutcomes(calls.map(outcomeOf)), evidence: calls.map(describeExchange) };
    },
  }),
  defineExercise({
    id: 'return-to-other-host',
    title: 'A login link whose returnTo names another host',
    question: ({ spa, attacker }) => `A link \`${spa.url}/bff/login?returnTo=//${attacker.url.replace('http://', '')}/landing\`: what does the BFF answer?`,
    prediction: statusAndCode,
    answer: '400 invalid_return_to',
    why: '`//host` is a network-path reference: another host to a browser. The BFF accepts only a path on its own origin and answers before any redirect, with no Location.',
    scenario: 'attack-open-redirect',
    async settle({ topology, record }) {
      const target = `//${topology.attacker.url.replace('http://', '')}/landing`;
      const exchanges = await record(async (fetchAs) => {
        await fetchAs('user-agent', `${topology.spa.url}/bff/login?returnTo=${encodeURIComponent(target)}`);
      });
      const calls = exchanges.filter((event) => event.to === 'bff');
      return { answer: joinOutcomes(calls.map(outcomeOf)), evidence: calls.map(describeExchange) };
    },
  }),
  defineExercise({
    id: 'code-injection-defence',
    title: "Mallory's callback delivered by alice's browser",
    question: () =>
      "Mallory signs in as herself, keeps the redirect back (`code`, `state`, `iss`) and gets alice's browser to open it. Which defence stops it, and with which status and error code?",
    prediction: { kind: 'short', asks: 'defence name, status and error code' },
    answer: 'state 400 invalid_state',
    why: "alice's browser never started a login with Mallory's `state`: the BFF finds no login attempt for it and answers before any token request. Even with alice's own `state`, PKCE would stop the code (400 invalid_grant).",
    scenario: 'attack-code-injection',
    async settle({ scenario }) {
      const result = await scenario('attack-code-injection');
      const callback = exchangeInStep(result, 3, { to: 'bff', path: '/bff/callback' });
      return {
        answer: `${findScenario('attack-code-injection')?.defence} ${outcomeOf(callback)}`,
        evidence: [describeExchange(callback), `defence exercised by ${result.id}: ${findScenario(result.id)?.defence}`],
      };
    },
  }),
  defineExercise({
    id: 'stolen-code-redeemed',
    title: "Mallory has alice's code and no client secret",
    question: () =>
      "Mallory has alice's authorization code and no client secret. What does the token endpoint answer her? And when she plays the code through the BFF in a login of her own?",
    prediction: { kind: 'short', asks: 'two results, each a status and error code' },
    answer: '401 invalid_client, 400 invalid_grant',
    why: "The token endpoint wants the client secret of `bff`: 401 invalid_client. Through the BFF the client authenticates, but her `code_verifier` does not match the `code_challenge` of alice's login: PKCE fails with 400 invalid_grant, and the BFF says so.",
    scenario: 'attack-code-interception',
    async settle({ scenario }) {
      const result = await scenario('attack-code-interception');
      const direct = exchangeInStep(result, 2, { from: 'attacker', path: '/token' });
      const throughBff = exchangeInStep(result, 4, { to: 'bff', path: '/bff/callback' });
      return { answer: joinOutcomes([outcomeOf(direct), outcomeOf(throughBff)]), evidence: [describeExchange(direct), describeExchange(throughBff)] };
    },
  }),
  defineExercise({
    id: 'mix-up-defence',
    title: 'A callback whose iss names another server',
    question: ({ attacker }) => `The callback's \`iss\` is changed to \`${attacker.url}\`. Which defence stops it, with which status and error code?`,
    prediction: { kind: 'short', asks: 'defence name, status and error code' },
    answer: 'iss-check 400 invalid_issuer',
    why: 'RFC 9207: the BFF compares the `iss` of the authorization response with the issuer it started the login at, before redeeming the code.',
    scenario: 'attack-mix-up',
    async settle({ scenario }) {
      const result = await scenario('attack-mix-up');
      const callback = exchangeInStep(result, 2, { to: 'bff', path: '/bff/callback' });
      return { answer: `${findScenario('attack-mix-up')?.defence} ${outcomeOf(callback)}`, evidence: [describeExchange(callback)] };
    },
  }),
  defineExercise({
    id: 'proxy-paths',
    title: 'The BFF asked to forward to another host, or to a route it does not serve',
    question: ({ attacker }) =>
      `The page calls \`/api//${attacker.url.replace('http://', '')}/steal\` with \`X-CSRF: 1\` and alice's cookie. What does the BFF answer? And \`DELETE /api/notes\`?`,
    prediction: { kind: 'short', asks: 'two results, each a status and error code' },
    answer: '400 invalid_api_path, 404 api_route_not_allowed',
    why: 'The proxy refuses any path that is not a plain relative path before building the upstream URL, and forwards only the routes on its allow-list; nothing leaves the BFF.',
    scenario: 'attack-proxy-token-leak',
    async settle({ scenario }) {
      const result = await scenario('attack-proxy-token-leak');
      const steal = exchangeInStep(result, 2, { to: 'bff', path: /\/steal$/ });
      const remove = exchangeInStep(result, 3, { to: 'bff', method: 'DELETE', path: '/api/notes' });
      return { answer: joinOutcomes([outcomeOf(steal), outcomeOf(remove)]), evidence: [describeExchange(steal), describeExchange(remove)] };
    },
  }),
  defineExercise({
    id: 'tampered-token',
    title: "alice's access token with sub changed to bob",
    question: () =>
      "alice's access token with `sub` changed to `bob` is sent straight to the API. What comes back (status and error code), and which header says why?",
    prediction: statusAndCode,
    answer: '401 invalid_token',
    why: "The signature covers the payload: the API's `WWW-Authenticate` header says, in `error_description`, that the signature does not match the authorization server's key (RFC 6750 §3).",
    scenario: 'attack-api-token-tampering',
    async settle({ scenario }) {
      const result = await scenario('attack-api-token-tampering');
      const call = exchangeInStep(result, 3, { from: 'attacker', to: 'resource-api' });
      return { answer: outcomeOf(call), evidence: [describeExchange(call)] };
    },
  }),
  defineExercise({
    id: 'refresh-replay',
    title: 'A rotated refresh token used again',
    question: () =>
      "A refresh token that was already rotated is used again. What does the token endpoint answer? And what does alice's app get at its next refresh, with its current refresh token?",
    prediction: { kind: 'short', asks: 'two results, each a status and error code' },
    answer: '400 invalid_grant, 400 invalid_grant',
    why: "Reuse of a rotated refresh token looks like theft (RFC 9700 §4.14.2): the authorization server refuses it and revokes the whole grant, so alice's current refresh token is refused too.",
    scenario: 'attack-refresh-replay',
    async settle({ scenario }) {
      const result = await scenario('attack-refresh-replay');
      const replay = exchangeInStep(result, 3, { from: 'attacker', path: '/token' });
      const alices = exchangeInStep(result, 5, { path: '/token' });
      // Both, even when they are the same: the question asks for two answers.
      return { answer: [outcomeOf(replay), outcomeOf(alices)].join(', '), evidence: [describeExchange(replay), describeExchange(alices)] };
    },
  }),
  defineExercise({
    id: 'csrf-weakened-switches',
    title: 'The switches of attack-csrf-weakened',
    question: () => 'Which defences does `attack-csrf-weakened` switch off? Predict, then check with `npm run scenario -- --list`.',
    prediction: {
      kind: 'choice',
      options: { a: 'csrf-header only', b: 'cookie-samesite and csrf-header', c: 'cookie-httponly and csrf-header', d: 'cookie-samesite only' },
    },
    answer: 'b',
    why: 'Each of the two stops the forged request on its own: `SameSite=Lax` keeps the cookie off the cross-site POST, and the X-CSRF check refuses a request without the header. The attack needs both off.',
    scenario: 'attack-csrf-weakened',
    async settle() {
      const weakened = findScenario('attack-csrf-weakened');
      const off = [...(weakened?.weaken ?? [])].sort();
      const letter =
        { 'csrf-header': 'a', 'cookie-samesite,csrf-header': 'b', 'cookie-httponly,csrf-header': 'c', 'cookie-samesite': 'd' }[off.join(',')] ?? '?';
      return {
        answer: letter,
        evidence: [`npm run scenario -- --list: attack-csrf-weakened  ${weakened?.title}`, `switched off for the run: ${off.join(', ')}`],
      };
    },
  }),
  defineExercise({
    id: 'samesite-strict',
    title: 'What SameSite=Strict would break',
    question: () =>
      'The session cookie is `SameSite=Lax`. With `Strict`, the redirect back from the authorization server (another site) would arrive without it. What would `/bff/callback` answer?',
    prediction: statusAndCode,
    answer: '400 invalid_state',
    why: 'The BFF keeps the login attempt (`state`, `nonce`, `code_verifier`) in the anonymous session the cookie names. Without the cookie it finds no attempt for the `state`: the sign-in itself fails. Step 5 of `flow-recommended` shows `Cookie: bff_session=…` on that request.',
    scenario: 'flow-recommended',
    async settle({ scenario }) {
      const result = await scenario(callbackWithoutCookie.id);
      const callback = exchangeInStep(result, 2, { to: 'bff', path: '/bff/callback' });
      return { answer: outcomeOf(callback), evidence: [describeExchange(callback)] };
    },
  }),
  defineExercise({
    id: 'spa-http-file',
    title: "Where the SPA's HTTP calls are",
    question: () => 'Which file would you read to find every HTTP call the SPA makes to the BFF in BFF mode?',
    prediction: { kind: 'short', asks: 'a file name' },
    answer: 'spa/src/bff-client.ts',
    why: "The app's elements never call `fetch` themselves: `bff-client.ts` sends every `/bff/*` and `/api/*` call, with `X-CSRF: 1`. Compare `public-client.ts` and `token-storage.ts`, the anti-pattern.",
    async settle() {
      // The lab's own source settles it: the SPA's modules that call fetch() on /bff or /api.
      const dir = path.join(REPO_ROOT, 'spa', 'src');
      const callers = readdirSync(dir)
        .filter((file) => file.endsWith('.ts'))
        .filter((file) => {
          const source = readFileSync(path.join(dir, file), 'utf8');
          return /\bfetch\(/.test(source) && /['`]\/(bff|api)\//.test(source) && !file.startsWith('xray-');
        });
      return {
        answer: callers.map((file) => `spa/src/${file}`).join(', '),
        evidence: callers.map((file) => `spa/src/${file} calls fetch() on /bff/* or /api/* (the X-ray's own files, lab machinery, left out)`),
      };
    },
  }),
  defineExercise({
    id: 'xss-in-bff-mode',
    title: "An XSS in alice's page, BFF mode",
    question: () => "An XSS runs in alice's page while she is signed in through the BFF. What can it send to Mallory?",
    prediction: {
      kind: 'choice',
      options: {
        a: "alice's access token, which Mallory then uses from her own machine",
        b: "alice's refresh token, to mint new tokens",
        c: 'no token: it can only call /api as alice through her open page, while the session lives',
      },
    },
    answer: 'c',
    why: "`document.cookie` and storage are empty (`bff_session` is HttpOnly): nothing to carry away, and Mallory's own API call gets 401 missing_token. The script can still ride the session through the open page (`attack-xss-proxy`: 201 for its write, 401 not_authenticated after sign-out).",
    scenario: 'attack-xss-token-theft',
    async settle({ scenario }) {
      const result = await scenario('attack-xss-token-theft');
      const call = exchangeInStep(result, 3, { from: 'attacker', to: 'resource-api' });
      return { answer: call.status === 200 ? 'a' : 'c', evidence: [describeExchange(call), ...verdictLines(result)] };
    },
  }),
  defineExercise({
    id: 'copied-cookie-after-logout',
    title: 'A copied session cookie after logout',
    question: () =>
      "In `flow-logout`, a copy of alice's session cookie works before she signs out. What does it get from `GET /bff/user` after `POST /bff/logout`?",
    prediction: statusAndCode,
    answer: '401 not_authenticated',
    why: "The cookie holds only a session id. Logout deletes the session in the BFF's store, so the id names nothing any more.",
    scenario: 'flow-logout',
    async settle({ scenario }) {
      const result = await scenario('flow-logout');
      const call = exchangeInStep(result, 5, { to: 'bff', path: '/bff/user' });
      return { answer: outcomeOf(call), evidence: [describeExchange(call)] };
    },
  }),
];
