import type { BrowserContext, Page, Request } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { findExchange, findExchanges, fieldsOf, JWT_SHAPE } from '../library/exchanges.ts';
import { readableByScripts } from '../library/browser-view.ts';
import { rawTokensOf } from '../library/bff-store.ts';

/**
 * The Resource Owner (RFC 6749 §1.1): the person who can grant access to her notes. She meets
 * the authorization server twice, to sign in and to consent, and never handles a token.
 */
export const resourceOwnerRole = defineScenario({
  id: 'role-resource-owner',
  title: 'The Resource Owner: signs in and consents at the authorization server, never holds a token',
  kind: 'role',
  teaches:
    "alice types her password into the authorization server's page only, decides there which client may do what on which API, and comes back to the app signed in, without ever seeing or holding a token.",
  prerequisites: [
    'alice (password "alice") is the Resource Owner; she uses a fresh browser (User Agent) with no cookies.',
    'The app (SPA + BFF) is on localhost; the authorization server is on 127.0.0.1, another site.',
  ],
  async run({ topology, lab, step, newUserAgent }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const api = topology['resource-api'].url;
    const browser = await newUserAgent();
    const page = await browser.newPage();
    // Every request the browser makes that carries a password, wherever it goes.
    const carriesPassword: Request[] = [];
    page.on('request', (request) => {
      if (/(^|&)password=/.test(request.postData() ?? '') || /[?&]password=/.test(request.url())) carriesPassword.push(request);
    });

    await step(
      {
        actor: 'Resource Owner',
        action: 'opens the app and clicks "Sign in"',
        look: 'the address bar: the login form belongs to the authorization server, not to the app',
      },
      async (s) => {
        await page.goto(spa);
        await page.getByTestId('login-button').click();
        await page.waitForURL(`${issuer}/interaction/**`);
        s.expect('the login page is served by the authorization server', issuer, new URL(page.url()).origin);
        const action = new URL(await page.locator('form:has(#password)').evaluate((form) => (form as HTMLFormElement).action));
        s.expect('its form posts to the authorization server', issuer, action.origin);
        s.check("to the interaction's login endpoint", '/interaction/<uid>/login', action.pathname, /^\/interaction\/[\w-]+\/login$/.test(action.pathname));
        s.note("The app sent the browser here (a redirect from /bff/login); the app's code cannot read or fill this page: it is another origin.");
        s.sees({
          browser: "the authorization server's login page (127.0.0.1), not the app",
          bff: 'a login in progress (state, nonce, code_verifier), no user yet',
        });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'types her username and password and presses "Sign in"',
        look: 'where the password travels: one POST, to the authorization server only',
      },
      async (s) => {
        await page.locator('#username').fill('alice');
        await page.locator('#password').fill('alice');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Allow' }).waitFor();
        const exchanges = await s.exchanges();
        const login = findExchange(exchanges, { to: 'authserver', method: 'POST', path: /^\/interaction\/[\w-]+\/login$/ });
        s.expect('the authorization server accepts the password and redirects to the next prompt', 303, login?.status);
        s.check(
          'the form carried a password field (shortened in the trace)',
          'a password field',
          fieldsOf(login?.requestBody).password,
          typeof fieldsOf(login?.requestBody).password === 'string',
        );
        s.expect(
          'the browser sent the password to one origin: the authorization server',
          [issuer],
          [...new Set(carriesPassword.map((request) => new URL(request.url()).origin))],
        );
        const toApp = findExchanges(exchanges, { to: 'bff' }).filter((event) => /password/i.test(`${event.url} ${event.requestBody ?? ''}`));
        s.expect("no request carrying a password reached the app's origin (BFF)", 0, toApp.length);
        s.note('The trace shortens the password as it shortens every secret; the browser sent it whole, to 127.0.0.1 and nowhere else.');
        s.sees({
          browser: 'a session cookie of the authorization server (for 127.0.0.1)',
          authserver: "alice's password, checked once; she is signed in there",
          bff: 'nothing: not the password, not the user yet',
        });
      },
    );

    await step(
      { actor: 'Resource Owner', action: 'reads the consent page', look: 'which client asks, for which scopes, on which resource (RFC 8707)' },
      async (s) => {
        const consent = await page.evaluate(() => ({
          // biome-ignore lint/performance/useDomNodeTextContent: what the user sees on screen, as rendered, is the point
          text: document.body.innerText,
          client: [...document.querySelectorAll('code')].map((code) => code.textContent ?? '').find((text) => text.startsWith('client_id=')),
          scopes: [...document.querySelectorAll('ul.scopes li code')].map((code) => code.textContent ?? ''),
          resource: [...document.querySelectorAll('p')].find((p) => p.textContent?.startsWith('On the resource'))?.querySelector('code')?.textContent,
        }));
        s.expect("the page is the authorization server's", issuer, new URL(page.url()).origin);
        s.expect('it names the client that asks', 'client_id=bff', consent.client);
        s.check(
          'and says who is signed in',
          'Signed in as alice.',
          consent.text.match(/Signed in as \w+\./)?.[0],
          consent.text.includes('Signed in as alice.'),
        );
        s.expect("it lists the OpenID scopes and the notes API's scopes", ['openid', 'profile', 'email', 'notes:read', 'notes:write'], consent.scopes);
        s.expect('and names the resource the notes scopes are for', api, consent.resource);
        s.note(
          'Consent is the Resource Owner\'s decision: "Allow" makes a grant at the authorization server for client bff, these scopes and this audience. Nothing is issued yet.',
        );
        s.sees({ browser: 'the consent page', authserver: 'alice is signed in; the request waits for her answer' });
      },
    );

    let tokenResponse: TraceEvent | undefined;
    await step(
      { actor: 'Resource Owner', action: 'clicks "Allow" and lands back in the app, signed in', look: 'the address bar after landing: no code, no token' },
      async (s) => {
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByTestId('user-name').waitFor();
        const exchanges = await s.exchanges();
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        tokenResponse = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        s.expect('the code passed through the browser to /bff/callback, which redirects to returnTo', 302, callback?.status);
        s.expect("she lands on the app's page, with a clean URL", `${spa}/`, page.url());
        s.expect('the app shows her name', 'alice', await page.getByTestId('user-name').textContent());
        s.note(
          'The authorization code was in the address bar for one redirect; the BFF redeemed it on the back channel (above) and sent her on to a URL without it.',
        );
        s.sees({ browser: 'the app, and a session cookie for localhost', bff: "alice's access, refresh and ID tokens" });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'looks for a token wherever she, or a script in the page, could reach one',
        look: "the URL, every cookie and web storage, searched for the BFF's tokens",
      },
      async (s) => {
        // What to look for: the BFF's own copy of this login's tokens, through the lab-only breach route.
        const tokens = await rawTokensOf(lab, tokenResponse);
        const held = await browserState(page, browser, [spa, issuer]);
        const found = [tokens?.accessToken, tokens?.refreshToken, tokens?.idToken].filter((token) => token !== undefined && held.includes(token));
        const kinds = tokens ? (['accessToken', 'refreshToken', 'idToken'] as const).filter((kind) => tokens[kind]) : [];
        s.expect("the lab finds this login's three tokens in the BFF", ['accessToken', 'refreshToken', 'idToken'], kinds);
        s.expect('none of them is in the URL, a cookie (HttpOnly ones included) or web storage', 0, found.length);
        s.check('nothing else JWT-shaped either', 'no JWT', held.match(JWT_SHAPE)?.[0] ?? 'none', !JWT_SHAPE.test(held));
        s.expect('page scripts can read no cookie at all', '', (await readableByScripts(page)).cookie);
        s.note(
          "The BFF's tokens were read through GET /_lab/session-store, a lab-only window into the BFF (a real BFF has no such route), just to know what to search for.",
        );
        s.sees({
          browser: 'a session cookie (an opaque id) and nothing a token could be made from',
          bff: 'the access, refresh and ID tokens: the only copy outside the authorization server',
        });
      },
    );
  },
});

/** Everything the browser keeps for the page and these sites, as one string to search. */
async function browserState(page: Page, context: BrowserContext, urls: string[]): Promise<string> {
  const scripts = await readableByScripts(page);
  const cookies = await context.cookies(urls);
  return JSON.stringify({ url: page.url(), scripts, cookies: cookies.map((cookie) => `${cookie.name}=${cookie.value}`) });
}
