import { defineAttack } from '../engine/define-attack.ts';
import { ATTACK_TIMEOUT_MS, pollFor } from '../library/attack-support.ts';
import { appSettled, signInAtAuthorizationServer } from '../library/sign-in.ts';
import { findExchange, queryOf } from '../library/exchanges.ts';

/**
 * RFC 9700 §4.2: credential leakage via Referer headers. A page rendered at the redirect URI
 * still has the authorization code in its URL; every subresource it loads from another site
 * receives that URL as Referer unless a Referrer-Policy says otherwise (§4.2.4: countermeasures).
 */
export const [refererCodeLeak, refererCodeLeakWeakened] = defineAttack({
  id: 'attack-referer-code-leak',
  title: 'Code leak through Referer: a third-party pixel on the callback page receives the authorization code',
  threat: 'RFC 9700 §4.2: credential leakage via Referer headers (countermeasures: §4.2.4)',
  defence: 'referrer-policy',
  teaches:
    'The callback URL carries the authorization code. The BFF answers it with a bare 302 and Referrer-Policy: no-referrer: no page is rendered at that URL, so no image, script or link on it can pass the URL on. With a "signing you in" page and a third-party pixel instead, the code lands in someone else\'s logs. It is still useless there: spent already, bound to the BFF\'s client authentication and to its PKCE verifier.',
  prerequisites: [
    'alice (Resource Owner) signs in through the app in a fresh browser (User Agent).',
    'A third party\'s "analytics pixel" (Mallory\'s /pixel.gif, http://[::1]:6660 by default) would appear on any page the BFF renders at the callback; Mallory logs the Referer of every pixel request.',
    'Mallory knows the client_id (bff) and the redirect URI: both are public. She does not have the client secret or the code_verifier.',
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in; the authorization server sends her back to /bff/callback?code=…',
        look: 'what the BFF answers at the callback URL: a bare redirect, or a page',
      },
      async (s) => {
        await page.goto(`${spa}/bff/login?returnTo=%2F`);
        await signInAtAuthorizationServer(page, topology, 'alice');
        // The interstitial of the weakened run moves on after one second.
        const landed = await page.waitForURL(`${spa}/`, { timeout: ATTACK_TIMEOUT_MS }).then(
          () => true,
          () => false,
        );
        await appSettled(page);
        const exchanges = await s.exchanges();
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        const pixel = findExchange(exchanges, { to: 'attacker', path: '/pixel.gif' });
        s.check('alice ends up in the app, signed in, on a URL without the code', `${spa}/`, page.url(), landed);
        if (defended) {
          s.expect('the callback answers with a bare redirect', 302, callback?.status);
          s.expect('and Referrer-Policy: no-referrer', 'no-referrer', callback?.responseHeaders['referrer-policy']);
          s.expect('straight on to returnTo: no page is rendered at the callback URL', '/', callback?.responseHeaders.location);
          s.expect('so no third party is asked for anything', undefined, pixel?.url);
          s.note(
            'The code lived in the address bar for one redirect. The next document (the app at "/") has a clean URL, and the redirect itself sends no Referer.',
          );
          s.sees({ browser: 'the app, at a URL with no code', attacker: 'nothing' });
        } else {
          s.expectLeak('the callback renders a "Signing you in…" page', 200, callback?.status);
          s.expectLeak('with Referrer-Policy: unsafe-url', 'unsafe-url', callback?.responseHeaders['referrer-policy']);
          s.checkLeak(
            'the page loads the third-party pixel, sending the full callback URL as Referer',
            'Referer: …/bff/callback?code=…',
            pixel?.requestHeaders.referer,
            pixel?.requestHeaders.referer?.includes('/bff/callback?code=') ?? false,
          );
          s.note(
            'The interstitial looked harmless: a spinner and an analytics pixel, then a meta refresh to "/". The browser did what the policy said: the whole URL, code included, went to the pixel\'s host.',
          );
          s.sees({ browser: 'the app, after a one-second "Signing you in…" page', attacker: 'the callback URL with code, state and iss, in her pixel log' });
        }
      },
    );

    let leakedCode: string | undefined;
    await step({ actor: 'Attacker', action: 'reads her pixel log', look: 'the Referers her pixel received: is there a code= in one?' }, async (s) => {
      const pixelHits = async () => (await lab.loot()).filter((item) => item.channel === 'pixel' && item.referer?.includes('code='));
      // A pixel request arrives only if the attack works: poll briefly, never long.
      const leaked = defended ? await pixelHits() : ((await pollFor(async () => ((await pixelHits()).length > 0 ? pixelHits() : undefined), 2_000)) ?? []);
      leakedCode = queryOf(leaked[0]?.referer).code;
      if (defended) {
        s.expect(
          'no Referer carrying a code reached her',
          [],
          leaked.map((item) => item.referer),
        );
        s.sees({ attacker: 'no code' });
      } else {
        s.checkLeak(
          'the pixel log holds the callback URL with the code',
          `${spa}/bff/callback?code=…`,
          leaked[0]?.referer,
          leaked[0]?.referer?.startsWith(`${spa}/bff/callback?code=`) ?? false,
        );
        s.note('The same would happen with any third-party resource on that page: a font, an analytics script, a link alice clicks.');
        s.sees({ attacker: `alice's authorization code (${leakedCode?.length ?? 0} characters)` });
      }
    });

    if (leakedCode === undefined) return;
    const code = leakedCode;
    await step(
      {
        actor: 'Attacker',
        action: 'tries to redeem the code at the token endpoint as client "bff", with no secret and no code_verifier',
        look: "the token endpoint's answer: 401 invalid_client",
      },
      async (s) => {
        const response = await fetchAs('attacker', `${issuer}/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${spa}/bff/callback`, client_id: 'bff' }),
        });
        const body = (await response.json().catch(() => ({}))) as { error?: string; access_token?: string };
        s.expect('the authorization server refuses: 401', 401, response.status);
        s.expect('with the error invalid_client (RFC 6749 §5.2): the BFF is a confidential client', 'invalid_client', body.error);
        s.expect('and issues no token', undefined, body.access_token);
        s.note(
          'Three locks, each enough: the code was already spent by the BFF (one use, RFC 6749 §4.1.2); it is bound to the client "bff", which must authenticate with its secret; and to the code_challenge, which only the BFF\'s code_verifier matches (PKCE, RFC 7636). The leak is real, the harm is contained: a public client without PKCE would not be so lucky.',
        );
        s.sees({ attacker: 'a spent code and a 401', authserver: 'a token request without client authentication, refused' });
      },
    );
  },
});
