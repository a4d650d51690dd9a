import { defineAttack } from '../engine/define-attack.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';
import { CallbackHold } from '../library/hold-callback.ts';
import { signInAtAuthorizationServer } from '../library/sign-in.ts';
import { waitAtMost } from '../library/attack-tools.ts';
import { ATTACK_TIMEOUT_MS } from '../library/attack-support.ts';

/**
 * RFC 9700 §4.8: PKCE downgrade. PKCE protects a code only if the authorization server insists on
 * it: an attacker who strips `code_challenge` from the authorization request gets a code bound to
 * nothing. Two checks close the hole: the authorization server requires PKCE (§2.1.1), and it
 * refuses a `code_verifier` for a code issued without a challenge (§4.8.2).
 */
export const [pkceDowngrade, pkceDowngradeWeakened] = defineAttack({
  id: 'attack-pkce-downgrade',
  title: "PKCE downgrade: the code_challenge stripped from alice's authorization request",
  threat: 'RFC 9700 §4.8 (PKCE downgrade attack)',
  defence: 'pkce',
  teaches:
    'The authorization server requires a code_challenge on every authorization request, so a request stripped of it gets no code at all, only invalid_request. With that policy off, it issues a code bound to no verifier: the downgrade has worked. One check remains (RFC 9700 §4.8.2): a token request that brings a code_verifier for a code issued without a challenge is refused, which saves a client like this BFF that always sends one, and no client that does not.',
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "Mallory (Attacker) can edit the authorization request on its way through alice's browser (a malicious extension, a tampered link): the lab holds the browser on that request.",
    "The BFF itself always uses PKCE in this scenario, in both runs: what the weakened run switches off is the authorization server's policy.",
  ],
  async run({ topology, lab, step, newUserAgent }, { defended }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    // The `pkce` switch also makes the BFF skip PKCE; here only the authorization server's policy is off.
    const bffSettings = (await lab.settings()).find((settings) => settings.service === 'bff');
    if (bffSettings?.weakened.includes('pkce')) {
      await lab.update('bff', { weakened: bffSettings.weakened.filter((name) => name !== 'pkce') });
    }
    const alicesBrowser = await newUserAgent();
    const page = await alicesBrowser.newPage();

    const { hold, authorizeUrl } = await step(
      {
        actor: 'Client: BFF',
        action: "sends alice's browser to the authorization endpoint; the browser is held on that request",
        look: 'code_challenge and code_challenge_method in the request',
      },
      async (s) => {
        const held = await CallbackHold.install(alicesBrowser, page, `${issuer}/auth?*`);
        // alice clicks "Sign in": her browser goes to /bff/login. Not awaited: the navigation stays
        // pending while the request is held.
        void page.goto(`${spa}/bff/login`).catch(() => undefined);
        const url = await held.held();
        const query = queryOf(url);
        s.expect('the BFF asks for a code bound to its code_verifier', 'S256', query.code_challenge_method);
        s.check('with a code_challenge', 'a code_challenge', query.code_challenge, Boolean(query.code_challenge));
        s.sees({ browser: 'the authorization request, about to be sent (held)', bff: 'the code_verifier of this login attempt' });
        return { hold: held, authorizeUrl: url };
      },
    );

    const callback = await step(
      {
        actor: 'Attacker',
        action: 'removes code_challenge and code_challenge_method, and lets the request go',
        look: 'what the authorization server answers to a request without PKCE',
      },
      async (s) => {
        const stripped = new URL(authorizeUrl);
        stripped.searchParams.delete('code_challenge');
        stripped.searchParams.delete('code_challenge_method');
        await hold.release(stripped.toString());
        await waitAtMost(
          ATTACK_TIMEOUT_MS,
          page.waitForURL((url) => url.pathname.startsWith('/interaction/') || url.pathname === '/bff/callback'),
        );
        const exchanges = await s.exchanges();
        const authorize = findExchange(exchanges, { to: 'authserver', path: '/auth' });
        const answer = new URL(authorize?.responseHeaders.location ?? '/', issuer);
        const redirected = queryOf(answer.toString());
        s.expect('the request reached the authorization server without PKCE', undefined, queryOf(authorize?.url).code_challenge);
        if (defended) {
          s.expect(
            'it sends the browser back to the BFF with an error instead of a code',
            {
              to: `${spa}/bff/callback`,
              error: 'invalid_request',
              error_description: 'Authorization Server policy requires PKCE to be used for this request',
              code: undefined,
            },
            { to: `${answer.origin}${answer.pathname}`, error: redirected.error, error_description: redirected.error_description, code: redirected.code },
          );
          s.note(
            'RFC 9700 §2.1.1: the authorization server MUST support PKCE and MAY require it; this one requires it of every client. The error may go back to the redirect_uri: the request itself is trusted, only its PKCE is missing.',
          );
        } else {
          s.expectLeak('it accepts the request and asks alice to sign in', `${issuer}/interaction/`, answer.toString().replace(/[\w-]+$/, ''));
          s.note('The authorization server no longer insists on PKCE: the code it is about to issue will be bound to no code_challenge.');
        }
        s.sees({
          browser: defended ? 'an error on its way back to the BFF' : 'the login page',
          authserver: defended ? 'a refused request' : 'a login in progress without any code_challenge',
        });
        return findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
      },
    );

    if (defended) {
      await step(
        { actor: 'Client: BFF', action: 'receives the error on its callback and ends the login', look: "the BFF's answer: no token request is made" },
        async (s) => {
          const shown = await page.locator('body').textContent();
          s.expect(
            "the BFF passes the authorization server's error on",
            { status: 400, error: 'invalid_request' },
            { status: callback?.status, error: fieldsOf(callback?.responseBody).error },
          );
          s.check("alice's browser shows it", 'invalid_request', shown, shown?.includes('"error":"invalid_request"') ?? false);
          s.expect('no token request was made: there is no code', undefined, findExchange(await s.exchanges(), { to: 'authserver', path: '/token' })?.status);
          s.sees({ browser: 'a 400 from the BFF; alice can simply sign in again', attacker: 'no code to steal: none was issued' });
        },
      );
      return;
    }

    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in and consents; the authorization server redirects back with a code',
        look: "a code issued for a request without PKCE, and the BFF's token request",
      },
      async (s) => {
        const onLoginPage = new URL(page.url()).pathname.startsWith('/interaction/');
        if (onLoginPage) await waitAtMost(ATTACK_TIMEOUT_MS, signInAtAuthorizationServer(page, topology, 'alice'));
        const exchanges = await s.exchanges();
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        s.checkLeak(
          'the authorization server issued a code, bound to no code_challenge: the downgrade worked',
          'a code',
          queryOf(callback?.url).code ? 'a code' : 'none',
          Boolean(queryOf(callback?.url).code),
        );
        s.checkLeak(
          "the BFF redeems it with the code_verifier of alice's login attempt",
          'a code_verifier',
          fieldsOf(token?.requestBody).code_verifier,
          typeof fieldsOf(token?.requestBody).code_verifier === 'string',
        );
        s.expectLeak(
          'the authorization server refuses a verifier for a code issued without a challenge (RFC 9700 §4.8.2)',
          { status: 400, error: 'invalid_grant' },
          { status: token?.status, error: fieldsOf(token?.responseBody).error },
        );
        s.expectLeak(
          "alice's login ends with that error",
          { status: 400, error: 'invalid_grant' },
          { status: callback?.status, error: fieldsOf(callback?.responseBody).error },
        );
        s.note(
          'The last line of defence held for this BFF only because it sent a verifier: the token endpoint noticed the mismatch. The code itself was bound to nothing; in the hands of a client that skips PKCE it is as good as any (see attack-code-interception-weakened).',
        );
        s.sees({ browser: 'a 400 from the BFF', authserver: 'a code issued without PKCE, then refused at the token endpoint' });
      },
    );
  },
});
