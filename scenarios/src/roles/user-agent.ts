import type { Cookie } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { findExchanges, JWT_SHAPE } from '../library/exchanges.ts';
import { readableByScripts } from '../library/browser-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';

/** The attributes of a cookie that decide who may read it and where it goes (what DevTools shows). */
function attributesOf(cookie: Cookie | undefined) {
  if (!cookie) return undefined;
  return { name: cookie.name, domain: cookie.domain, path: cookie.path, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, secure: cookie.secure };
}

/** Cookie names in a traced `Cookie` header (values are shortened there). */
function cookieNames(event: TraceEvent): string[] {
  const header = event.requestHeaders.cookie;
  return header ? header.split(/;\s*/).map((pair) => pair.split('=')[0] ?? '') : [];
}

/**
 * The User Agent (RFC 6749 §1.1): alice's browser. In the BFF pattern it carries redirects and
 * one opaque, HttpOnly session cookie for the app; it never stores or sends a token.
 */
export const userAgentRole = defineScenario({
  id: 'role-user-agent',
  title: 'The User Agent: one HttpOnly session cookie, and no token to store or send',
  kind: 'role',
  teaches:
    'The browser keeps a separate cookie jar per site: for the app only bff_session (an opaque, HttpOnly, SameSite=Lax id), for the authorization server its own session. Every API call carries the cookie and X-CSRF: 1, never an Authorization header, and page scripts can read nothing.',
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    'The app is on localhost; the authorization server on 127.0.0.1: two sites, two cookie jars.',
  ],
  async run({ topology, step, newUserAgent }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const browser = await newUserAgent();
    const page = await browser.newPage();

    let signInEvents: TraceEvent[] = [];
    await step({ actor: 'Resource Owner', action: 'signs in to the app as alice', look: 'which cookies each site sets in the browser' }, async (s) => {
      await signInThroughSpa(page, topology, 'alice');
      signInEvents = await s.exchanges();
      s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
      s.sees({ browser: 'cookies for localhost (the app) and for 127.0.0.1 (the authorization server)' });
    });

    await step(
      {
        actor: 'User Agent',
        action: 'lists the cookies it keeps for the app (localhost)',
        look: 'bff_session and its signature: HttpOnly, SameSite=Lax, Path=/, host-only',
      },
      async (s) => {
        const cookies = await browser.cookies(spa);
        const session = cookies.find((cookie) => cookie.name === 'bff_session');
        const signature = cookies.find((cookie) => cookie.name === 'bff_session.sig');
        s.expect('exactly two cookies for the app', ['bff_session', 'bff_session.sig'], cookies.map((cookie) => cookie.name).sort());
        const expected = { domain: 'localhost', path: '/', httpOnly: true, sameSite: 'Lax', secure: false };
        s.expect('bff_session: host-only on localhost, Path=/, HttpOnly, SameSite=Lax', { name: 'bff_session', ...expected }, attributesOf(session));
        s.expect('bff_session.sig: the same attributes', { name: 'bff_session.sig', ...expected }, attributesOf(signature));
        s.check('its value is an opaque id, not a token', 'no JWT', session?.value.slice(0, 12), session !== undefined && !JWT_SHAPE.test(session.value));
        s.note(
          'Host-only (no Domain attribute): the cookie goes back to localhost only, not to any subdomain. Cookies ignore ports: the BFF on its own port shares it.',
        );
        s.note(
          "The .sig cookie is an HMAC of the id with the BFF's key: a forged or edited id is ignored. Secure is off only because the lab runs on plain http.",
        );
        s.sees({ browser: 'bff_session (an opaque id) + its signature, both HttpOnly', bff: 'the tokens, under that id' });
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: 'lists the cookies it keeps for the authorization server (127.0.0.1)',
        look: "another site, another cookie jar: neither site's cookies go to the other",
      },
      async (s) => {
        const cookies = await browser.cookies(issuer);
        const names = cookies.map((cookie) => cookie.name).sort();
        s.check('the authorization server keeps its own session cookie', 'a _session cookie', names, names.includes('_session'));
        s.expect(
          "none of the app's cookies is in this jar",
          [],
          names.filter((name) => name.startsWith('bff_session')),
        );
        s.expect('every one of them is for 127.0.0.1 only', ['127.0.0.1'], [...new Set(cookies.map((cookie) => cookie.domain))]);
        const toAuthServer = findExchanges(signInEvents, { to: 'authserver', channel: 'front' });
        const toApp = findExchanges(signInEvents, { to: 'bff', channel: 'front' });
        s.check(
          'during sign-in, no request to 127.0.0.1 carried bff_session',
          'none of them',
          `${toAuthServer.length} requests`,
          toAuthServer.length > 0 && toAuthServer.every((event) => !cookieNames(event).includes('bff_session')),
        );
        s.check(
          "and no request to the app carried the authorization server's _session",
          'none of them',
          `${toApp.length} requests`,
          toApp.length > 0 && toApp.every((event) => !cookieNames(event).includes('_session')),
        );
        s.note(
          "This _session is alice's single sign-on at the authorization server. It lets her skip the password next time; it is no token for the notes API.",
        );
        s.sees({ browser: 'two jars: localhost (bff_session) and 127.0.0.1 (_session)', authserver: "its own session for alice, nothing of the app's" });
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: "carries the app's calls: it reloads the page and alice adds a note",
        look: 'the headers of every /bff and /api request: Cookie and X-CSRF, no Authorization',
      },
      async (s) => {
        await page.reload();
        await page.getByTestId('note').first().waitFor();
        await page.getByTestId('note-input').fill('written by the role-user-agent scenario');
        await page.getByTestId('add-note-button').click();
        await page.getByText('written by the role-user-agent scenario').first().waitFor();
        const exchanges = await s.exchanges();
        const calls = findExchanges(exchanges, { to: 'bff', path: /^\/(api|bff)\// });
        const summary = calls.map((event) => `${event.method} ${new URL(event.url).pathname}`);
        s.check(
          'the page made JSON calls to its own origin',
          'GET /bff/user, GET /api/notes and POST /api/notes',
          summary,
          ['GET /bff/user', 'GET /api/notes', 'POST /api/notes'].every((call) => summary.includes(call)),
        );
        s.check(
          'every one carries the session cookie',
          'bff_session on all',
          calls.map((event) => cookieNames(event).includes('bff_session')),
          calls.length > 0 && calls.every((event) => cookieNames(event).includes('bff_session')),
        );
        s.check(
          'and X-CSRF: 1',
          'X-CSRF: 1 on all',
          calls.map((event) => event.requestHeaders['x-csrf']),
          calls.length > 0 && calls.every((event) => event.requestHeaders['x-csrf'] === '1'),
        );
        s.expect(
          'and no Authorization header, on none of them',
          [],
          calls.filter((event) => event.requestHeaders.authorization !== undefined).map((event) => event.url),
        );
        s.check(
          'the browser marks them as same-origin (Sec-Fetch-Site)',
          'same-origin on all',
          [...new Set(calls.map((event) => event.requestHeaders['sec-fetch-site']))],
          calls.length > 0 && calls.every((event) => event.requestHeaders['sec-fetch-site'] === 'same-origin'),
        );
        s.note('The bearer token appears only on the BFF → API call, on the back channel, which the browser never sees.');
        s.sees({ browser: 'its own requests: a cookie and a custom header', bff: 'the session id; it attaches the access token itself' });
      },
    );

    await step({ actor: 'User Agent', action: 'shows what page scripts can read', look: 'document.cookie and web storage are empty' }, async (s) => {
      const visible = await readableByScripts(page);
      s.expect('document.cookie is empty: both cookies are HttpOnly', '', visible.cookie);
      s.expect('nothing in localStorage', {}, visible.localStorage);
      s.expect('nothing in sessionStorage', {}, visible.sessionStorage);
      const all = await browser.cookies();
      s.expect(
        'no cookie in either jar holds a JWT',
        [],
        all.filter((cookie) => JWT_SHAPE.test(cookie.value)).map((cookie) => cookie.name),
      );
      s.note('An injected script (XSS) could still make calls through the app while the page is open, but it finds no token to carry away.');
      s.sees({ browser: 'nothing a script can read or steal', spa: "alice's name and notes: data, not credentials" });
    });
  },
});
