import { defineScenario } from '../engine/scenario.ts';
import { CallbackHold } from '../library/hold-callback.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';

/**
 * The seed text's own variant: "the provider redirects back to the frontend with an authorization
 * code; the frontend then sends this authorization code to the backend", which exchanges it.
 * Built into the lab as a setting (`LAB_FLOW=seed`, off by default) to compare it with the
 * recommended flow, where the code goes straight to the BFF's callback.
 */
export const seedFlow = defineScenario({
  id: 'flow-seed-variant',
  title: "The seed's variant: the code goes to the SPA, which hands it to the BFF",
  kind: 'flow',
  teaches:
    'What changes when the authorization server redirects to the SPA instead of the BFF: the code lands in a page where every script can read it and the SPA must post it on. PKCE, state and the client secret still bind it to this login and this client, so it stays useless to anyone else, but it has passed through page scripts, which the recommended flow avoids.',
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser.',
    'The lab runs the seed variant for this scenario: the BFF asks for redirect_uri=<app>/callback (a page of the SPA), and the authorization server accepts that second registered URI only while this variant is on.',
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }) {
    const spa = topology.spa.url;
    const seedCallback = `${spa}/callback`;
    await lab.update('bff', { flow: 'seed' });
    await lab.update('authserver', { flow: 'seed' });
    const browser = await newUserAgent();
    const page = await browser.newPage();
    await page.goto(spa);
    const hold = await CallbackHold.install(browser, page, `${seedCallback}*`);

    await step(
      {
        actor: 'Client: SPA',
        action: 'sends the browser to /bff/login; the BFF asks for the code to come back to the SPA',
        look: 'redirect_uri in the authorization request',
      },
      async (s) => {
        await page.getByTestId('login-button').click();
        await page.waitForURL(`${topology.authserver.url}/interaction/**`);
        const login = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/login' });
        const authorize = queryOf(login?.responseHeaders.location);
        s.expect('redirect_uri is a page of the SPA, not the BFF', seedCallback, authorize.redirect_uri);
        s.expect('PKCE is still used', 'S256', authorize.code_challenge_method);
        s.check('and state', 'present', authorize.state ? 'present' : 'missing', Boolean(authorize.state));
        s.sees({ bff: 'code_verifier, state, nonce for this login, as in the recommended flow' });
      },
    );

    let callbackUrl = '';
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in and allows; the authorization server redirects to the SPA with the code',
        look: 'where the code lands: an HTML page of the app',
      },
      async (s) => {
        await page.locator('#username').fill('alice');
        await page.locator('#password').fill('alice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await Promise.race([page.getByRole('button', { name: 'Allow' }).waitFor(), hold.held()]);
        const consent = page.getByRole('button', { name: 'Allow' });
        if (await consent.isVisible()) void consent.click().catch(() => undefined);
        callbackUrl = await hold.held();
        s.expect("the browser is sent to the SPA's page", seedCallback, callbackUrl.split('?')[0]);
        s.check('with the code in its URL', 'a code', queryOf(callbackUrl).code ? 'code' : 'none', Boolean(queryOf(callbackUrl).code));
        s.note("From here on the code is in a page that runs scripts: the app's, its libraries', and an injected one if the page has an XSS bug.");
        s.sees({ browser: 'the code, in the address bar of an app page', spa: 'the code (page scripts can read location)' });
      },
    );

    await step(
      {
        actor: 'Client: SPA',
        action: 'reads the code from its URL and posts it to the BFF (POST /bff/code)',
        look: 'the code in a JSON body, then the same back-channel exchange as before',
      },
      async (s) => {
        await hold.release();
        await page.getByTestId('user-name').waitFor();
        const exchanges = await s.exchanges();
        const handOver = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/bff/code' });
        const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        const sent = fieldsOf(handOver?.requestBody);
        const tokenRequest = fieldsOf(token?.requestBody);
        s.expect('the SPA posts the code with state and iss', ['code', 'iss', 'state'], Object.keys(sent).sort());
        s.expect('the BFF answers 200 and signs the browser in', 200, handOver?.status);
        s.expect('the BFF redeems it with the redirect_uri of the request', seedCallback, tokenRequest.redirect_uri);
        s.check('with its PKCE verifier', 'a code_verifier', tokenRequest.code_verifier, typeof tokenRequest.code_verifier === 'string');
        s.check(
          'and its client authentication',
          'Basic …',
          token?.requestHeaders.authorization,
          token?.requestHeaders.authorization?.startsWith('Basic') ?? false,
        );
        s.expect('the URL no longer shows the code', '/', new URL(page.url()).pathname + new URL(page.url()).search);
        s.sees({ browser: 'bff_session (HttpOnly); the code is spent', bff: 'the tokens, as in the recommended flow' });
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: 'replays the same code and state to /bff/code from another browser',
        look: 'state binds the code to the browser that started the login',
      },
      async (s) => {
        const callback = queryOf(callbackUrl);
        const response = await fetchAs('attacker', `${spa}/bff/code`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF': '1' },
          body: JSON.stringify({ code: callback.code, state: callback.state, iss: callback.iss }),
        });
        const body = (await response.json()) as { error?: string };
        s.expect(
          'refused: 400 invalid_state (no such login in that browser)',
          { status: 400, error: 'invalid_state' },
          { status: response.status, error: body.error },
        );
      },
    );

    await step(
      {
        actor: 'Authorization Server',
        action: 'with the variant switched off again, refuses the SPA page as redirect_uri',
        look: 'exact matching: only /bff/callback is accepted now',
      },
      async (s) => {
        await lab.update('authserver', { flow: 'recommended' });
        const authorize = new URL(`${topology.authserver.url}/auth`);
        for (const [name, value] of Object.entries({
          client_id: 'bff',
          response_type: 'code',
          scope: 'openid',
          redirect_uri: seedCallback,
          state: 's',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })) {
          authorize.searchParams.set(name, value);
        }
        const response = await fetchAs('user-agent', authorize.toString());
        s.expect(
          'no redirect: the authorization server shows its error page (400)',
          { status: 400, location: null },
          { status: response.status, location: response.headers.get('location') },
        );
      },
    );
  },
});
