import { defineAttack } from '../engine/define-attack.ts';
import { errorCodeOf } from '../library/attack-support.ts';
import { fieldsOf, findExchange, JWT_SHAPE, queryOf } from '../library/exchanges.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { loadAppWithXss, lootData, lootFrom } from '../library/xss.ts';

/** The payload opens a popup, waits for the code and calls the token endpoint: more than one round trip. */
const PAYLOAD_TIMEOUT_MS = 8_000;

/** What the silent-authorize payload reports (attacker/src/payloads/payloads.ts). */
interface SilentAuthorizeReport {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly code?: string;
  readonly codeVerifier?: string;
  readonly token?: { readonly status: number; readonly body: { access_token?: string; refresh_token?: string; error?: string } };
}

/**
 * Acquisition of new tokens (OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript
 * Payloads": Acquisition and Extraction of New Tokens). The injected script does not look for
 * stored tokens: it runs an authorization request of its own, with prompt=none and its own PKCE
 * pair, in alice's browser where she is signed in at the authorization server, and redeems the code.
 */
export const [xssNewTokens, xssNewTokensWeakened] = defineAttack({
  id: 'attack-xss-new-tokens',
  title: 'XSS acquires new tokens: an injected script runs its own silent authorization request and redeems the code',
  threat: 'OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript Payloads": Acquisition and Extraction of New Tokens',
  defence: 'bff-pattern',
  weakenedMode: 'public-client',
  alwaysWeaken: ['spa-csp'],
  teaches:
    "Keeping tokens out of storage is not enough if the browser can get new ones: a script that runs its own authorization request (prompt=none, its own PKCE pair) gets a fresh code for alice without her seeing anything. With the BFF the code is for a confidential client: the token endpoint wants the BFF's client secret, which no browser has, so the code is worthless in the page (400 invalid_request: the token endpoint does not even talk to browsers for this client) and on Mallory's machine (401 invalid_client). A public client has no secret by definition: whoever holds its code and verifier gets the tokens.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app in her browser (User Agent): she now has a session at the authorization server too, the one that makes single sign-on work.',
    "The app has an XSS bug: the lab's hook makes its page load Mallory's \"silent-authorize\" script. It opens a 1×1 popup to the authorization endpoint with the app's own client_id and redirect_uri, prompt=none and a PKCE pair of its own, reads the code from the popup's address bar once it is back on the app's origin, redeems it at the token endpoint from the page, and reports everything to Mallory's collector.",
    "A popup, not a hidden iframe: browsers no longer send the authorization server's cookies to a third-party frame, but a popup is a top-level window.",
    "The SPA's Content-Security-Policy is off in both runs: its connect-src would stop the call to the token endpoint and the report, and this scenario is about what a code is worth.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const api = topology['resource-api'].url;
    const issuer = topology.authserver.url;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step(
      { actor: 'Resource Owner', action: 'signs in to the app', look: 'she is signed in at the authorization server too (its session cookie)' },
      async (s) => {
        await signInThroughSpa(page, topology, 'alice');
        const authserverSession = (await browser.cookies(issuer)).find((cookie) => cookie.name === '_session');
        s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
        s.check(
          'the authorization server keeps a session for her in this browser',
          'a _session cookie for 127.0.0.1',
          authserverSession ? '_session' : 'none',
          authserverSession !== undefined,
        );
        s.sees({
          browser: defended
            ? "bff_session (HttpOnly) and the authorization server's session cookie"
            : "tokens in localStorage and the authorization server's session cookie",
          authserver: 'alice is signed in and has consented to the app',
        });
      },
    );

    let report: SilentAuthorizeReport = {};
    await step(
      {
        actor: 'Attacker',
        action:
          "her script runs in alice's page: an authorization request of its own in a popup (prompt=none, its own PKCE pair), then the code to the token endpoint",
        look: 'the code the authorization server hands out without asking, and what the token endpoint answers the script',
      },
      async (s) => {
        const run = await loadAppWithXss(lab, page, 'silent-authorize', { timeoutMs: PAYLOAD_TIMEOUT_MS });
        report = lootData((await lootFrom(lab, 'silent-authorize'))[0]) as SilentAuthorizeReport;
        const exchanges = await s.exchanges();
        const authorize = findExchange(exchanges, { from: 'user-agent', to: 'authserver', path: '/auth' });
        const request = queryOf(authorize?.url);
        const answer = queryOf(authorize?.responseHeaders.location);
        const token = findExchange(exchanges, { from: 'user-agent', to: 'authserver', method: 'POST', path: '/token' });
        const tokenAnswer = fieldsOf(token?.responseBody);
        s.expect(
          'the script asks for a code with no prompt, and a PKCE pair of its own',
          { prompt: 'none', code_challenge_method: 'S256' },
          { prompt: request.prompt, code_challenge_method: request.code_challenge_method },
        );
        if (defended) s.expect("as the app's own client: bff, the BFF's", 'bff', request.client_id);
        else s.expectLeak("as the app's own client: spa-public, a public client, with no secret", 'spa-public', request.client_id);
        s.check(
          'alice is signed in and has consented: the authorization server answers at once with a code',
          'a redirect with code=…',
          answer.code ? 'code' : (answer.error ?? `status ${authorize?.status}`),
          answer.code !== undefined,
        );
        s.check('the script read the code from the popup', 'a code', report.code ? 'a code' : `none (script ${run.status})`, typeof report.code === 'string');
        if (defended) {
          const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
          s.expect(
            "the popup lands on the BFF's callback, which refuses a login it never started: 400 invalid_state",
            { status: 400, error: 'invalid_state' },
            { status: callback?.status, error: errorCodeOf(callback?.responseBody) },
          );
          s.expect(
            "the script's token request, from the page, is refused: 400 invalid_request (the token endpoint takes no browser calls for the BFF's client)",
            { status: 400, error: 'invalid_request', error_description: `origin ${spa} not allowed for client: bff` },
            { status: token?.status, error: tokenAnswer.error, error_description: tokenAnswer.error_description },
          );
          s.expect('and without Access-Control-Allow-Origin the script cannot even read that answer', 0, report.token?.status);
          s.note(
            "The code is for the BFF, a confidential client: it is redeemed with the BFF's client secret, server to server. The authorization server does not answer browsers at all for this client (oidc-provider's clientBasedCORS); had it let the call through, client authentication would have failed the same way as in step 4.",
          );
          s.sees({ browser: 'a code for the BFF that it cannot redeem', authserver: 'a code issued to bff, never redeemed', attacker: 'nothing yet' });
        } else {
          s.expectLeak('the token endpoint issues tokens to the script: 200', 200, token?.status);
          s.checkLeak(
            'an access token and a refresh token, for alice',
            'both',
            Object.keys(tokenAnswer),
            typeof tokenAnswer.access_token === 'string' && typeof tokenAnswer.refresh_token === 'string',
          );
          s.note(
            'To the authorization server this is the app: its client_id, its redirect_uri, a correct PKCE verifier. PKCE proves that whoever redeems the code started the request, and here the script did both.',
          );
          s.sees({ browser: "a second set of tokens, in the script's hands only", authserver: 'a new token set for spa-public, nothing unusual' });
        }
      },
    );

    await step({ actor: 'Attacker', action: 'reads what reached her collector at /collect/silent-authorize', look: 'tokens, or only a code' }, async (s) => {
      const arrived = (await lootFrom(lab, 'silent-authorize')).length > 0;
      const received = report.token?.body ?? {};
      s.check("the script's report arrived", 'a report', arrived ? 'reported' : 'no report', arrived);
      if (defended) {
        s.check(
          'a code and its verifier',
          'code + code_verifier',
          { code: report.code ? 'present' : 'none', codeVerifier: report.codeVerifier ? 'present' : 'none' },
          typeof report.code === 'string' && typeof report.codeVerifier === 'string',
        );
        s.expect('but no access token', undefined, received.access_token);
        s.expect('and no refresh token', undefined, received.refresh_token);
        s.sees({ attacker: 'a code for the BFF and its verifier: one more chance, from her own machine' });
      } else {
        s.checkLeak("alice's new access token", 'eyJ…', received.access_token?.slice(0, 12), JWT_SHAPE.test(received.access_token ?? ''));
        s.checkLeak(
          "and a refresh token: tokens of her own, that alice's app never saw",
          'a refresh token',
          received.refresh_token ? 'received' : 'none',
          typeof received.refresh_token === 'string',
        );
        s.note(
          "Nothing of alice's stored tokens was touched: clearing localStorage, shorter token lifetimes or rotation of her refresh token would not have changed this.",
        );
        s.sees({ attacker: "a complete token set for alice, her own grant's worth" });
      }
    });

    if (defended) {
      await step(
        {
          actor: 'Attacker',
          action: `redeems the stolen code and verifier herself, from her own machine: POST ${issuer}/token as client bff, without the secret`,
          look: "the token endpoint's answer to a client that does not authenticate",
        },
        async (s) => {
          const response = await fetchAs('attacker', `${issuer}/token`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code: report.code ?? '',
              code_verifier: report.codeVerifier ?? '',
              redirect_uri: report.redirectUri ?? `${spa}/bff/callback`,
              client_id: 'bff',
              resource: api,
            }),
          });
          const body = (await response.json().catch(() => ({}))) as { error?: string; error_description?: string };
          s.expect(
            "401 invalid_client (RFC 6749 §5.2): the BFF's code needs the BFF's secret",
            { status: 401, error: 'invalid_client' },
            { status: response.status, error: body.error },
          );
          s.note(
            'No Origin header here, so no CORS check: the request reaches client authentication, and fails it. The code, PKCE verifier and all, is worthless without the client secret, which lives only in the BFF.',
          );
          s.sees({ attacker: 'a useless code', authserver: 'a failed client authentication for bff' });
        },
      );
      return;
    }

    await step(
      { actor: 'Attacker', action: `calls the notes API from her own machine with the new access token: GET ${api}/notes`, look: 'whose notes come back' },
      async (s) => {
        const accessToken = report.token?.body.access_token;
        const response = await fetchAs('attacker', `${api}/notes`, accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {});
        const notes = readNotes(await response.json().catch(() => ({})));
        s.expectLeak("the API serves alice's notes to Mallory", { status: 200, owner: 'alice' }, { status: response.status, owner: notes.owner });
        s.checkLeak('her private note among them', ALICE_SECRET_NOTE, notes.texts, notes.texts.includes(ALICE_SECRET_NOTE));
        s.sees({ attacker: "alice's notes, and a refresh token to keep reading them", api: 'a valid token for alice' });
      },
    );
  },
});
