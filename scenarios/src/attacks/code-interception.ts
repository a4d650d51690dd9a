import { defineAttack } from '../engine/define-attack.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';
import { deliverHeldCallback, signInUntilCallback } from '../library/held-sign-in.ts';
import { ScriptedUserAgent, readJson } from '../library/scripted-user-agent.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { laterBy, moveLabTimePast, refreshDueAt } from '../library/time-travel.ts';
import { readLifetimes } from '../library/lifetimes.ts';

/**
 * RFC 9700 §4.5: authorization code injection, after the code leaked (§4.2, RFC 7636 §1).
 * Mallory holds alice's code. The token endpoint wants the BFF's client secret, so she plays the
 * code through the BFF itself, in a login of her own: PKCE (and the OIDC nonce) bind the code to
 * the login attempt that asked for it, which is alice's, not hers.
 */
export const [codeInterception, codeInterceptionWeakened] = defineAttack({
  id: 'attack-code-interception',
  title: "Authorization code interception: Mallory redeems alice's stolen code",
  threat: 'RFC 9700 §4.5 (authorization code injection) after a code leak (§4.2; RFC 7636 §1: authorization code interception)',
  defence: 'pkce',
  // The OIDC nonce stops this injection too (RFC 9700 §4.5.3.2): the weakened run needs both off.
  weaken: ['pkce', 'nonce'],
  teaches:
    "A stolen authorization code is useless to Mallory. The token endpoint demands the BFF's client secret, and played through the BFF in a login of her own, the code fails PKCE: it was issued for the code_challenge of alice's login attempt, and only alice's attempt holds the matching code_verifier. With PKCE and the nonce off, the same move signs Mallory in as alice.",
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    'Mallory (Attacker) uses her own HTTP client; she needs no account for this.',
    "Her copy of alice's code: the lab holds alice's browser on the redirect back to /bff/callback, standing in for a code leaked through browser history, a proxy log or a Referer (RFC 9700 §4.2).",
    "Access tokens live as long as the lab issues them (5 min, the lab's default). With the defences off, the last step shows a refresh without waiting: the lab's clock moves until the access token in Mallory's session is due for one.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const alicesBrowser = await newUserAgent();
    const page = await alicesBrowser.newPage();
    const mallory = new ScriptedUserAgent(fetchAs, 'attacker');

    const { hold, callbackUrl } = await step(
      { actor: 'Resource Owner', action: 'signs in; her browser is held on the redirect back to the BFF', look: 'the code in the callback URL' },
      async (s) => {
        const held = await signInUntilCallback(alicesBrowser, page, topology, 'alice');
        const callback = queryOf(held.callbackUrl);
        s.check(
          'the redirect back carries an authorization code',
          'a code',
          callback.code ? `code (${callback.code.length} chars)` : 'none',
          Boolean(callback.code),
        );
        s.expect('issued by our authorization server', issuer, callback.iss);
        if (defended) {
          // PKCE and the nonce each stop this injection (RFC 9700 §4.5.3); the run shows PKCE's refusal, so the nonce is checked where it is sent.
          const authorize = queryOf(findExchange(await s.exchanges(), { from: 'user-agent', to: 'authserver', path: '/auth' })?.url);
          s.expect(
            "alice's authorization request binds the code to her login attempt: a code_challenge (S256) and a nonce",
            { code_challenge_method: 'S256', code_challenge: true, nonce: true },
            { code_challenge_method: authorize.code_challenge_method, code_challenge: Boolean(authorize.code_challenge), nonce: Boolean(authorize.nonce) },
          );
        }
        s.note('This URL is what leaks: it sits in the browser history, in proxy and server logs, and in the Referer of any page the callback would render.');
        s.sees({
          browser: 'the code, in the address bar (held: not yet delivered)',
          attacker: 'a copy of the whole callback URL',
          bff: "alice's login attempt: state, nonce, code_verifier",
        });
        return held;
      },
    );
    const stolenCode = queryOf(callbackUrl).code ?? '';

    await step(
      {
        actor: 'Attacker',
        action: 'redeems the code at the token endpoint herself, as client "bff", without its secret',
        look: "the token endpoint's answer: 401 invalid_client",
      },
      async (s) => {
        const response = await fetchAs('attacker', `${issuer}/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'authorization_code', code: stolenCode, redirect_uri: `${spa}/bff/callback`, client_id: 'bff' }),
        });
        const body = await readJson(response);
        s.expect(
          'the authorization server refuses an unauthenticated confidential client',
          { status: 401, error: 'invalid_client' },
          { status: response.status, error: body.error },
        );
        s.expect('and issues no token', undefined, body.access_token);
        s.note(
          "RFC 6749 §2.3, §4.1.3: a confidential client authenticates at the token endpoint; the secret never left the BFF. Mallory's only way to the token endpoint is through the BFF.",
        );
        s.sees({ attacker: "alice's code, and a 401", authserver: 'the code, still unused' });
      },
    );

    const malloryState = await step(
      { actor: 'Attacker', action: 'starts a login of her own at the app: GET /bff/login', look: 'the state of her login attempt, in the redirect' },
      async (s) => {
        const response = await mallory.request(`${spa}/bff/login`);
        const authorize = queryOf(response.headers.get('location') ?? undefined);
        s.expect(
          'the BFF sends her to the authorization endpoint',
          { status: 302, to: `${issuer}/auth` },
          { status: response.status, to: response.headers.get('location')?.split('?')[0] },
        );
        s.check('and gives her session a login attempt with its own state', 'a state', authorize.state, Boolean(authorize.state));
        s.check(
          'and a session cookie to find it again',
          'bff_session',
          mallory.cookieHeader(spa).includes('bff_session=') ? 'bff_session' : 'none',
          mallory.cookieHeader(spa).includes('bff_session='),
        );
        s.note(
          authorize.code_challenge
            ? 'The BFF keeps a fresh code_verifier (and nonce) for this attempt; only its hash, the code_challenge, went out.'
            : 'PKCE is off: this attempt has no code_verifier, and the BFF sent no code_challenge.',
        );
        s.sees({ attacker: 'her own state, and a BFF session cookie', bff: "Mallory's login attempt: state, nonce, code_verifier" });
        return authorize.state ?? '';
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: "delivers alice's code to the BFF with her own state: GET /bff/callback?code=<alice's>&state=<hers>",
        look: "the BFF's token request on the back channel, and its answer",
      },
      async (s) => {
        const callback = new URLSearchParams({ code: stolenCode, state: malloryState, iss: issuer });
        const response = await mallory.request(`${spa}/bff/callback?${callback}`);
        const answer = response.status === 302 ? {} : await readJson(response);
        const token = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        s.expect('her state matches her own login attempt: the BFF redeems the code', 'authorization_code', fieldsOf(token?.requestBody).grant_type);
        if (defended) {
          s.expect(
            "the authorization server refuses: the code_verifier of Mallory's attempt does not match alice's code_challenge",
            { status: 400, error: 'invalid_grant' },
            { status: token?.status, error: fieldsOf(token?.responseBody).error },
          );
          s.expect(
            "the BFF ends Mallory's callback with that error",
            { status: 400, error: 'invalid_grant' },
            { status: response.status, error: answer.error },
          );
          s.note(
            'RFC 7636 §4.6: the authorization server hashes the code_verifier and compares it with the code_challenge stored with the code. Client authentication proves "this is the BFF"; PKCE proves "this is the login attempt that asked for this code".',
          );
        } else {
          s.expectLeak('the authorization server issues tokens: nothing ties the code to a login attempt', 200, token?.status);
          s.expectLeak("the BFF signs Mallory's session in and redirects her into the app", 302, response.status);
          s.note("Client authentication held: it was the BFF redeeming. But the BFF redeemed alice's code for Mallory's session.");
        }
        s.sees({
          attacker: defended ? 'a 400 invalid_grant' : 'a BFF session cookie, signed in',
          bff: defended ? "no tokens for Mallory's session" : "alice's tokens, in MALLORY's session",
          authserver: defended ? 'the code, still unused' : 'the code, spent',
        });
      },
    );

    await step(
      { actor: 'Attacker', action: 'asks the app who she is and loads the notes with her session', look: 'whose name and whose notes come back' },
      async (s) => {
        const user = await mallory.callApp(`${spa}/bff/user`);
        const notes = await mallory.callApp(`${spa}/api/notes`);
        const shown = readNotes(notes.body);
        if (defended) {
          s.expect("Mallory's session is not signed in", { status: 401, error: 'not_authenticated' }, { status: user.status, error: user.body.error });
          s.expect('and gets no notes', 401, notes.status);
          s.expect("none of alice's notes reached her", false, shown.texts.includes(ALICE_SECRET_NOTE));
        } else {
          s.expectLeak(
            "the app greets Mallory's browser as alice",
            'alice',
            (user.body.claims as { preferred_username?: string } | undefined)?.preferred_username,
          );
          s.expectLeak(
            "and serves her alice's notes",
            { owner: 'alice', leaked: true },
            { owner: shown.owner, leaked: shown.texts.includes(ALICE_SECRET_NOTE) },
          );
        }
        s.sees({ attacker: defended ? "nothing of alice's" : `alice's notes: "${ALICE_SECRET_NOTE}"` });
      },
    );

    await step(
      { actor: 'Resource Owner', action: 'is let go: her browser delivers her code to the BFF, late', look: "whether alice's own login still works" },
      async (s) => {
        const signedIn = await deliverHeldCallback(alicesBrowser, page, hold, topology);
        const exchanges = await s.exchanges();
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        if (defended) {
          s.expect('the code was still unused: the BFF redeems it for alice', 200, token?.status);
          s.expect('and alice is signed in', 'alice', signedIn);
          s.note("A failed PKCE check does not spend the code: Mallory's attempt cost alice nothing.");
        } else {
          s.expectLeak(
            'the authorization server refuses the code: already consumed',
            { status: 400, error: 'invalid_grant' },
            { status: token?.status, error: fieldsOf(token?.responseBody).error },
          );
          s.expectLeak(
            "alice's login fails with that error",
            { status: 400, error: 'invalid_grant' },
            { status: callback?.status, error: fieldsOf(callback?.responseBody).error },
          );
          s.note(
            "RFC 6749 §4.1.2: a code used twice is refused, and the authorization server SHOULD revoke what the code already issued. oidc-provider revokes the whole grant: the tokens in Mallory's session included.",
          );
        }
        s.sees({
          browser: defended ? 'the app, alice signed in' : 'a 400 from the BFF',
          authserver: defended ? "alice's grant, her tokens issued to her own session" : 'a replayed code: the grant is revoked',
        });
      },
    );

    if (!defended) {
      await step(
        {
          actor: 'Attacker',
          action: `loads the notes again ${laterBy(lifetime)}, once the access token is due for a refresh`,
          look: 'the refresh_token grant, refused',
        },
        async (s) => {
          const user = await mallory.callApp(`${spa}/bff/user`);
          const expiresAt = Date.parse(String((user.body.session as { accessTokenExpiresAt?: string } | undefined)?.accessTokenExpiresAt ?? ''));
          // The lab's clock moves until the BFF finds her token due: a fifth of its lifetime before expiry (at most 5 s).
          if (Number.isFinite(expiresAt)) await moveLabTimePast(s, lab, refreshDueAt(expiresAt, lifetime * 1000));
          else s.note("Mallory's session holds no access token: there is no refresh to wait for.");
          const notes = await mallory.callApp(`${spa}/api/notes`);
          const refresh = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
          s.expectLeak(
            "the BFF's refresh for Mallory's session is refused",
            { grant_type: 'refresh_token', status: 400, error: 'invalid_grant' },
            { grant_type: fieldsOf(refresh?.requestBody).grant_type, status: refresh?.status, error: fieldsOf(refresh?.responseBody).error },
          );
          s.expectLeak('so the BFF ends her session', { status: 401, error: 'session_expired' }, { status: notes.status, error: notes.body.error });
          s.note(
            "The revocation came only when alice's browser replayed the code, and it cannot reach the access token Mallory already used: she read alice's notes for as long as it lived.",
          );
          s.sees({ attacker: "alice's notes, already read; no session any more", authserver: 'no grant left for this login' });
        },
      );
    }
  },
});
