import type { BrowserContext } from 'playwright-core';
import { defineAttack } from '../engine/define-attack.ts';
import { errorCodeOf } from '../library/attack-support.ts';
import { findExchange } from '../library/exchanges.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { loadAppWithXss, lootFrom, signOutThroughSpa } from '../library/xss.ts';

/** The note the proxy-calls payload writes (attacker/src/payloads/payloads.ts). */
const XSS_NOTE = 'Written by an XSS through the open page';

/** What the proxy-calls payload reports, and leaves in the page. */
interface ProxyCallsResult {
  readonly notes?: { readonly status: number; readonly body: unknown };
  readonly written?: { readonly status: number; readonly body: unknown };
  readonly delivery?: string;
}

/** alice's notes as the app reads them: through the BFF, with her cookie and X-CSRF. */
async function notesOf(browser: BrowserContext, spa: string): Promise<{ status: number; owner?: string; texts: string[] }> {
  const response = await browser.request.get(`${spa}/api/notes`, { headers: { 'X-CSRF': '1' } });
  return { status: response.status(), ...readNotes(await response.json().catch(() => ({}))) };
}

function count(texts: readonly string[], text: string): number {
  return texts.filter((each) => each === text).length;
}

/**
 * Client hijacking (OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript Payloads":
 * Proxying Requests via the User's Browser; "Attack Consequences": Client Hijacking). The injected
 * script does not steal anything: it uses the open page as alice, the way the app does. No
 * architecture stops that; the BFF bounds it, and the CSP keeps the results from leaving.
 */
export const [xssProxy, xssProxyWeakened] = defineAttack({
  id: 'attack-xss-proxy',
  title: "XSS client hijacking: an injected script calls the API through alice's open page (even with a BFF) and reports what it read",
  threat:
    'OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript Payloads": Proxying Requests via the User\'s Browser; "Attack Consequences": Client Hijacking',
  defence: 'spa-csp',
  teaches:
    "A BFF does not make an XSS harmless: a script in the page can call /api with alice's cookie and the X-CSRF header exactly like the app, read her notes and write new ones, and the BFF cannot tell. What the BFF changes is the reach: no token leaves the browser, so the abuse lasts only while the page is open and the session lives, covers only the routes the BFF forwards, and ends when alice signs out. The Content-Security-Policy (connect-src, img-src) keeps the script from sending what it read to another site; with it off, alice's notes reach Mallory. Neither makes the write go away: the real fix for XSS is not having one.",
  prerequisites: [
    'alice (Resource Owner) is signed in to the app in her browser (User Agent), with the BFF.',
    "The app has an XSS bug: the lab's hook makes its page load Mallory's \"proxy-calls\" script. It calls GET /api/notes and POST /api/notes (with X-CSRF: 1, as the app does), then POSTs what it got to Mallory's collector (http://[::1]:6660/collect by default).",
    "The app's Content-Security-Policy allows fetch() to the app's own origin only (connect-src 'self').",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const api = topology['resource-api'].url;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    let before = 0;
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app and keeps it open',
        look: `how many notes say "${XSS_NOTE}" already (from earlier runs, if any)`,
      },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        const notes = await notesOf(browser, spa);
        before = count(notes.texts, XSS_NOTE);
        s.expect('her notes come back through the BFF', { status: 200, owner: 'alice' }, { status: notes.status, owner: notes.owner });
        s.sees({ browser: 'bff_session (HttpOnly), no token', bff: "alice's tokens" });
      },
    );

    let result: ProxyCallsResult = {};
    await step(
      {
        actor: 'Attacker',
        action: "her script runs in alice's page and calls the API through it: GET and POST /api/notes, with X-CSRF: 1",
        look: "the BFF's answers: to the BFF these are alice's own calls",
      },
      async (s) => {
        const run = await loadAppWithXss(lab, page, 'proxy-calls');
        result = (run.result ?? {}) as ProxyCallsResult;
        const exchanges = await s.exchanges();
        const write = findExchange(exchanges, { to: 'bff', method: 'POST', path: '/api/notes' });
        const forwarded = findExchange(exchanges, { from: 'bff', to: 'resource-api', method: 'POST', path: '/notes' });
        s.expect('the script ran to the end', 'done', run.status);
        s.expect(
          "it read alice's notes: 200, owner alice",
          { status: 200, owner: 'alice' },
          { status: result.notes?.status, owner: readNotes(result.notes?.body).owner },
        );
        s.expect('it wrote a note as alice: 201', 201, result.written?.status);
        s.check(
          "the write carried alice's cookie and X-CSRF, like the app's own calls",
          'Cookie: bff_session=…, X-CSRF: 1',
          { cookie: write?.requestHeaders.cookie?.includes('bff_session=') ?? false, csrf: write?.requestHeaders['x-csrf'] },
          (write?.requestHeaders.cookie?.includes('bff_session=') ?? false) && write?.requestHeaders['x-csrf'] === '1',
        );
        s.check(
          "and the BFF forwarded it with alice's access token",
          'DPoP eyJ…',
          forwarded?.requestHeaders.authorization?.slice(0, 12),
          forwarded?.requestHeaders.authorization?.startsWith('DPoP eyJ') ?? false,
        );
        s.note(
          "Same origin, same cookie, same header: the CSRF defences (SameSite, X-CSRF) are about other sites, and this script runs on the app's own origin. The attack works in both runs.",
        );
        s.sees({ browser: 'a script acting as alice', bff: "alice's usual calls", api: 'a valid token for alice, a new note' });
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: "waits for the script's report at her collector (/collect/proxy-calls)",
        look: defended ? "the page's Content-Security-Policy, and an empty collector" : "alice's notes, at Mallory's",
      },
      async (s) => {
        const reports = await lootFrom(lab, 'proxy-calls');
        const csp = (await browser.request.get(`${spa}/`)).headers()['content-security-policy'];
        const connectSrc = csp
          ?.split(';')
          .map((directive) => directive.trim())
          .find((directive) => directive.startsWith('connect-src'));
        if (defended) {
          s.check(
            "the app's pages forbid fetch() to other origins",
            "connect-src 'self' …",
            connectSrc,
            connectSrc?.startsWith("connect-src 'self'") === true && !connectSrc.includes(new URL(topology.attacker.url).host),
          );
          s.check("so the browser blocked the script's report", 'blocked: …', result.delivery, result.delivery?.startsWith('blocked') ?? false);
          s.expect(
            'and nothing reached the attacker',
            [],
            reports.map((report) => report.label),
          );
          s.note(
            "The CSP does not stop the script from running (it came from the app's own origin, as a stored XSS would) nor from calling the app's API; it stops the data from leaving for another site. A script that writes is not stopped by it at all.",
          );
          s.sees({ browser: 'a blocked request to [::1]:6660', attacker: 'nothing' });
        } else {
          const notes = readNotes((reports[0]?.data as ProxyCallsResult | undefined)?.notes?.body);
          s.expectLeak('the page is served without a Content-Security-Policy', undefined, csp);
          s.expectLeak("the report arrived with alice's notes", 'alice', notes.owner);
          s.checkLeak('her private note among them', ALICE_SECRET_NOTE, notes.texts, notes.texts.includes(ALICE_SECRET_NOTE));
          s.note(
            "With no CSP, nothing kept the script from POSTing what it read to another site: alice's notes are now on Mallory's server. Still no token: Mallory got data, not a way in.",
          );
          s.sees({ attacker: "alice's notes, read through her own page" });
        }
      },
    );

    await step({ actor: 'Resource Owner', action: 'looks at her notes', look: `a note she never wrote: "${XSS_NOTE}"` }, async (s) => {
      const notes = await notesOf(browser, spa);
      s.check(
        `a new "${XSS_NOTE}" in her notes: the write went through in this run too`,
        `${before + 1}`,
        count(notes.texts, XSS_NOTE),
        count(notes.texts, XSS_NOTE) === before + 1,
      );
      s.sees({ browser: "a note written by the XSS, stored as alice's" });
    });

    await step(
      {
        actor: 'Attacker',
        action: "tries the same calls from her own machine, without alice's page",
        look: 'what she can do once the page is not hers to use: nothing, she holds no token and no cookie',
      },
      async (s) => {
        const viaBff = await fetchAs('attacker', `${spa}/api/notes`, { headers: { 'X-CSRF': '1' } });
        const direct = await fetchAs('attacker', `${api}/notes`);
        s.expect(
          "through the app's /api: 401 not_authenticated",
          { status: 401, error: 'not_authenticated' },
          { status: viaBff.status, error: errorCodeOf(await viaBff.text()) },
        );
        s.expect(
          'at the notes API itself: 401 missing_token',
          { status: 401, error: 'missing_token' },
          { status: direct.status, error: errorCodeOf(await direct.text()) },
        );
        s.note("With the BFF, no token ever reached the page, so none could be stolen: the script's reach ends where alice's page does.");
        s.sees({ attacker: 'two 401s', bff: 'a request without a session' });
      },
    );

    await step({ actor: 'Resource Owner', action: 'signs out', look: 'the BFF session ends (POST /bff/logout)' }, async (s) => {
      await signOutThroughSpa(page, topology);
      const logout = findExchange(await s.exchanges(), { to: 'bff', method: 'POST', path: '/bff/logout' });
      s.expect('the BFF ends her session', 200, logout?.status);
      s.sees({ browser: 'a cookie that points at nothing', bff: 'no session for alice' });
    });

    await step(
      { actor: 'Attacker', action: "her script runs again the next time the app's page loads", look: 'the same calls, now without a session behind them' },
      async (s) => {
        const run = await loadAppWithXss(lab, page, 'proxy-calls');
        const again = (run.result ?? {}) as ProxyCallsResult;
        s.expect(
          'the read gets 401 not_authenticated',
          { status: 401, error: 'not_authenticated' },
          { status: again.notes?.status, error: (again.notes?.body as { error?: string } | undefined)?.error },
        );
        s.expect(
          'the write too',
          { status: 401, error: 'not_authenticated' },
          { status: again.written?.status, error: (again.written?.body as { error?: string } | undefined)?.error },
        );
        s.note('Signing out ends the hijacking: the script only ever had what the session gave it, for as long as it lived.');
        s.sees({ browser: 'a script with nothing to use', bff: 'anonymous calls, refused' });
      },
    );
  },
});
