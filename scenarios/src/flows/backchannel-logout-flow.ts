import { defineScenario } from '../engine/scenario.ts';
import { fieldsOf, findExchange } from '../library/exchanges.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { readJwt } from '../library/attack-tools.ts';
import { labNow } from '../library/lifetimes.ts';
import { readJson } from '../library/scripted-user-agent.ts';

/** How soon the app must know: the logout token is posted before the authorization server's own page answers. */
const WITHIN_MS = 2_000;

/**
 * OpenID Connect Back-Channel Logout 1.0: the user's session ends at the authorization server
 * without the app (its own end-session page, another app's sign-out, an administrator), and the
 * authorization server tells the app on the back channel, with a signed logout token naming the
 * session (`sid`). The BFF ends every session of it and revokes its refresh tokens. What it cannot
 * recall: access tokens already issued, which the API checks on its own until they expire.
 */
export const backchannelLogoutFlow = defineScenario({
  id: 'flow-backchannel-logout',
  title: "Back-channel logout: the authorization server ends alice's session, and the app's ends with it",
  kind: 'flow',
  teaches:
    "The bff client is registered with a backchannel_logout_uri and backchannel_logout_session_required. When alice's session at the authorization server ends, it POSTs a logout token (a JWT: typ logout+jwt, iss, aud, iat, jti, sid, the backchannel-logout event, no nonce) to the BFF, which checks it with the authorization server's keys, ends every BFF session signed in from that sid and revokes their refresh tokens (RFC 7009). Access tokens already issued stay valid at the API until exp: keep them short, bind them (DPoP), or have the API introspect (RFC 7662) when revocation must be immediate.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app with a fresh browser (User Agent).',
    "Then, in the same browser, she opens the authorization server's own end-session page, not the app's sign-out: the app is not involved in this logout at all.",
    "The lab reads the BFF's copy of her access token through GET /_lab/session-store (lab only), to show what outlives the logout.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const api = topology['resource-api'].url;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    const whoAmI = () => page.evaluate(async () => (await fetch('/bff/user', { headers: { 'X-CSRF': '1' } })).status);

    const accessToken = await step(
      { actor: 'Resource Owner', action: 'signs in to the app as alice', look: 'the ID token the BFF received: its sid' },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        const token = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        const idToken = token?.jwts?.find((jwt) => jwt.where === 'response body: id_token');
        s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
        s.check(
          "the ID token names alice's session at the authorization server (sid)",
          'a sid',
          idToken?.payload.sid,
          typeof idToken?.payload.sid === 'string',
        );
        s.note(
          "The BFF keeps that sid with the session's tokens: it is how a logout token, which names only the authorization server's session, finds the BFF's.",
        );
        s.sees({ browser: 'bff_session for localhost, _session for 127.0.0.1', bff: "alice's tokens and the authorization server's sid" });
        return (await rawTokensOf(lab, token))?.accessToken ?? '';
      },
    );

    await step(
      {
        actor: 'Authorization Server',
        action: 'ends alice\'s session: she opens its end-session page directly and answers "Yes, sign me out"',
        look: 'the back-channel POST to the BFF, and its logout token',
      },
      async (s) => {
        await page.goto(`${issuer}/session/end`);
        await page.getByRole('button', { name: 'Yes, sign me out' }).click();
        await page.getByRole('heading', { name: 'Signed out' }).waitFor();
        const exchanges = await s.exchanges();
        const posted = findExchange(exchanges, { from: 'authserver', to: 'bff', method: 'POST', path: '/bff/backchannel-logout' });
        const logoutToken = posted?.jwts?.find((jwt) => jwt.where === 'request body: logout_token');
        const revocation = findExchange(exchanges, { to: 'authserver', path: '/token/revocation', channel: 'back' });
        s.expect(
          'the authorization server posts a logout token to the registered backchannel_logout_uri; the BFF answers 200',
          { status: 200, channel: 'back', sessionsEnded: 1 },
          { status: posted?.status, channel: posted?.channel, sessionsEnded: fieldsOf(posted?.responseBody).sessionsEnded },
        );
        s.expect(
          'a logout token: typ logout+jwt, for client bff, with the backchannel-logout event and a sid, without a nonce',
          { typ: 'logout+jwt', aud: 'bff', event: true, sid: true, nonce: undefined },
          {
            typ: logoutToken?.header.typ,
            aud: logoutToken?.payload.aud,
            event: Object.hasOwn((logoutToken?.payload.events as object | undefined) ?? {}, 'http://schemas.openid.net/event/backchannel-logout'),
            sid: typeof logoutToken?.payload.sid === 'string',
            nonce: logoutToken?.payload.nonce,
          },
        );
        s.expect("the BFF revokes the session's refresh token (RFC 7009)", 200, revocation?.status);
        s.note(
          "Back-Channel Logout 1.0 §2.6: the BFF checked the token's signature with the authorization server's JWKS, its iss, aud, iat and typ, the event, the sid, that it has no nonce (so no ID token passes for one) and that its jti is new.",
        );
        s.sees({
          browser: 'the authorization server\'s "Signed out" page; the app is not open',
          authserver: 'no session for alice',
          bff: 'no session for alice, no tokens',
        });
      },
    );

    await step({ actor: 'Resource Owner', action: 'goes back to the app, which asks the BFF who is signed in', look: 'GET /bff/user' }, async (s) => {
      const started = Date.now();
      await page.goto(spa);
      let status = await whoAmI();
      while (status !== 401 && Date.now() - started < WITHIN_MS) status = await whoAmI();
      s.expect(
        `401: her app session ended with the authorization server's, within ${WITHIN_MS / 1000} s`,
        { status: 401, inTime: true },
        { status, inTime: Date.now() - started < WITHIN_MS },
      );
      await page.getByTestId('login-button').waitFor();
      s.sees({ browser: 'the signed-out app', bff: 'a cookie that points at nothing' });
    });

    await step(
      {
        actor: 'Resource Server',
        action: "is shown alice's access token from before the logout, as a copy of it would be",
        look: 'what a logout cannot recall',
      },
      async (s) => {
        const exp = Number(readJwt(accessToken || 'e30.e30.').payload.exp);
        s.check(
          'the access token has not expired: the API would take it, on its own, until exp',
          'exp in the future',
          new Date(exp * 1000).toISOString(),
          exp * 1000 > (await labNow(lab)),
        );
        const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `Bearer ${accessToken}` } });
        const body = await readJson(response);
        s.expect(
          "a copy of it is still refused as Bearer: it is bound to the BFF's DPoP key, which the copy lacks",
          { status: 401, error: 'invalid_token' },
          { status: response.status, error: body.error },
        );
        s.note(
          'A JWT access token is checked by the API alone (RFC 9068): nobody tells the API about the logout, so the token stays good until exp. The remedies: short lifetimes (the lab: 300 s), sender-constrained tokens (DPoP: a copy is useless without the key), and, when revocation must be immediate, token introspection (RFC 7662) at the cost of a call to the authorization server per request. See docs/architecture.md.',
        );
        s.sees({ api: 'a token that is valid until exp, and bound to a key', attacker: "a copy worth nothing without the BFF's key" });
      },
    );
  },
});
