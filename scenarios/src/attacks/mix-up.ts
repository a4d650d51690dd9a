import { defineAttack } from '../engine/define-attack.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';
import { deliverHeldCallback, signInUntilCallback } from '../library/held-sign-in.ts';

/**
 * RFC 9700 §4.4 (mix-up) and RFC 9207 (the `iss` parameter). A client that works with several
 * authorization servers must know which one answered before it sends the code to a token
 * endpoint; otherwise an attacker's server can have it send an honest server's code to the
 * attacker. The BFF checks `iss` against the issuer it started the login with.
 */
export const [mixUp, mixUpWeakened] = defineAttack({
  id: 'attack-mix-up',
  title: 'Mix-up: a callback whose iss names another authorization server',
  threat: 'RFC 9700 §4.4 (mix-up attacks); RFC 9207 (authorization server issuer identification)',
  defence: 'iss-check',
  teaches:
    "The authorization server names itself in every authorization response (iss, RFC 9207), and the BFF refuses a response whose iss is not the issuer it sent the user to: so it never mistakes one server's answer for another's. The harm of a mix-up needs a second authorization server the client trusts, which the lab does not run: the weakened run shows only that the client no longer notices where an answer claims to come from.",
  prerequisites: [
    'alice (Resource Owner) signs in with a fresh browser (User Agent).',
    "Mallory (Attacker) rewrites one parameter of the redirect back to the BFF: iss, to name her own site. (The lab holds alice's browser on that redirect, standing in for an attacker-controlled authorization server that answers for a login.)",
  ],
  async run({ topology, step, newUserAgent }, { defended }) {
    const issuer = topology.authserver.url;
    const foreignIssuer = topology.attacker.url;
    const alicesBrowser = await newUserAgent();
    const page = await alicesBrowser.newPage();

    const { hold, callbackUrl } = await step(
      { actor: 'Resource Owner', action: 'signs in; her browser is held on the redirect back to the BFF', look: 'iss in the callback URL' },
      async (s) => {
        const held = await signInUntilCallback(alicesBrowser, page, topology, 'alice');
        s.expect('the authorization server names itself in the response (RFC 9207)', issuer, queryOf(held.callbackUrl).iss);
        s.sees({ browser: 'code, state and iss in the address bar (held)', bff: "alice's login attempt, started at the issuer it knows" });
        return held;
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: `changes only iss, to ${foreignIssuer}, and lets the browser go on`,
        look: "the BFF's answer to a response from an issuer it did not send alice to",
      },
      async (s) => {
        const forged = new URL(callbackUrl);
        forged.searchParams.set('iss', foreignIssuer);
        const signedIn = await deliverHeldCallback(alicesBrowser, page, hold, topology, forged.toString());
        const exchanges = await s.exchanges();
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        s.expect('the BFF received the forged iss', foreignIssuer, queryOf(callback?.url).iss);
        if (defended) {
          s.expect(
            'the BFF refuses the response',
            { status: 400, error: 'invalid_issuer' },
            { status: callback?.status, error: fieldsOf(callback?.responseBody).error },
          );
          s.expect('before any token request: the code goes to no token endpoint', undefined, token?.status);
          s.expect('alice is not signed in', undefined, signedIn);
          s.note(
            'RFC 9207 §2.4: the client compares iss with the issuer of the authorization server it sent the request to, and stops on a mismatch. In a real mix-up, that is what keeps the client from sending a code to the wrong token endpoint.',
          );
        } else {
          s.expectLeak('the BFF ignores iss and redeems the code', 200, token?.status);
          s.expectLeak("alice is signed in, although the response claimed to come from Mallory's site", 'alice', signedIn);
          s.note(
            'The BFF no longer notices who answered. With a second authorization server that this client trusts (the lab runs none), an attacker could now steer which server a code is sent to: that is the mix-up of RFC 9700 §4.4.',
          );
        }
        s.sees({
          browser: defended ? 'a 400 from the BFF' : 'the app, alice signed in',
          bff: defended ? 'no tokens; the login attempt is spent' : "alice's tokens: nothing told it the answer was forged",
        });
      },
    );
  },
});
