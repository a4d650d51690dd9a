import { createHash, randomBytes } from 'node:crypto';
import type { Frame } from 'playwright-core';
import { defineAttack } from '../engine/define-attack.ts';
import { ATTACK_TIMEOUT_MS, pollFor } from '../library/attack-support.ts';
import { findExchange } from '../library/exchanges.ts';

/** Where a framed document ended up: the authorization server's page, or the browser's error page. */
async function settledUrl(frame: Frame, issuer: string): Promise<string> {
  const settled = await pollFor(async () => {
    const url = frame.url();
    return url.startsWith('chrome-error:') || url.startsWith(`${issuer}/interaction/`) ? url : undefined;
  });
  await frame.waitForLoadState('load', { timeout: ATTACK_TIMEOUT_MS }).catch(() => undefined);
  return settled ?? frame.url();
}

/**
 * RFC 9700 §4.16: clickjacking. Mallory loads the authorization server's page in a see-through
 * frame over a bait button, so that the victim's click lands on the authorization server's
 * button. The authorization server refuses to be framed: CSP `frame-ancestors 'none'`, and
 * `X-Frame-Options: DENY` for older browsers.
 */
export const [clickjacking, clickjackingWeakened] = defineAttack({
  id: 'attack-clickjacking',
  title: "Clickjacking: the attacker frames the authorization server's page under a bait button",
  threat: "RFC 9700 §4.16: clickjacking of the authorization server's login and consent pages",
  defence: 'frame-protection',
  teaches:
    "A page another site can frame is a page whose buttons another site can put under its own. The authorization server answers every page with Content-Security-Policy: frame-ancestors 'none' and X-Frame-Options: DENY, so the browser refuses to render it inside another site's frame: Mallory's bait button covers nothing.",
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent).',
    'Mallory\'s page (http://[::1]:6660/frame by default) shows a "Claim prize" button under a see-through iframe whose src she chooses.',
    'She points it at a well-formed authorization request for the real client "bff": client_id, redirect_uri, a PKCE challenge and a state are all public values anyone can make.',
  ],
  async run({ topology, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const authorize = new URL(`${issuer}/auth`);
    const verifier = randomBytes(32).toString('base64url');
    for (const [name, value] of Object.entries({
      client_id: 'bff',
      response_type: 'code',
      redirect_uri: `${spa}/bff/callback`,
      scope: 'openid profile email notes:read notes:write',
      resource: topology['resource-api'].url,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: randomBytes(16).toString('base64url'),
      nonce: randomBytes(16).toString('base64url'),
    })) {
      authorize.searchParams.set(name, value);
    }
    const bait = `${topology.attacker.url}/frame?src=${encodeURIComponent(authorize.href)}`;

    await step(
      {
        actor: 'Attacker',
        action: 'checks that her authorization request is one the authorization server accepts',
        look: 'the 303 to a login interaction: the request is well-formed',
      },
      async (s) => {
        const response = await fetchAs('attacker', authorize.href);
        s.expect('the authorization server starts a login for client bff', 303, response.status);
        s.check(
          'and sends the browser to its login page',
          `${issuer}/interaction/…`,
          response.headers.get('location'),
          response.headers.get('location')?.startsWith('/interaction/') ?? false,
        );
        s.note(`Her page: ${topology.attacker.url}/frame?src=<this authorization URL>`);
        s.sees({ attacker: 'a valid authorization URL for the real client, and a page to frame it in' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'opens Mallory\'s "Click to claim your prize" page',
        look: "the framing headers on the authorization server's answers, and what the frame shows",
      },
      async (s) => {
        const browser = await newUserAgent();
        const page = await browser.newPage();
        await page.goto(bait);
        const frame = await (await page.locator('#victim').elementHandle())?.contentFrame();
        const frameUrl = frame ? await settledUrl(frame, issuer) : 'no frame';
        const exchanges = await s.exchanges();
        const interaction = findExchange(exchanges, { to: 'authserver', method: 'GET', path: /^\/interaction\// });
        const framing = {
          'x-frame-options': interaction?.responseHeaders['x-frame-options'],
          'content-security-policy': interaction?.responseHeaders['content-security-policy'],
        };
        const hasLoginForm =
          (await frame
            ?.locator('#username')
            .count()
            .catch(() => 0)) ?? 0;
        s.expect("the browser followed the frame to the authorization server's login page", 'authserver', interaction?.to);
        if (defended) {
          s.expect(
            'which answers "never frame me"',
            { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'; base-uri 'none'; object-src 'none'" },
            framing,
          );
          s.check("the browser refused to render it in Mallory's frame", 'chrome-error://… (blocked)', frameUrl, frameUrl.startsWith('chrome-error:'));
          s.expect('no login form inside her page', 0, hasLoginForm);
          s.note(
            "The browser fetched the page and then, reading frame-ancestors 'none', showed its own error page in the frame instead. The bait button sits over an empty box: a click on it does nothing.",
          );
          s.sees({
            browser: "Mallory's page with an empty, blocked frame",
            authserver: 'a login request it refused to have framed',
            attacker: 'nothing to click through',
          });
        } else {
          s.expectLeak('which says nothing about framing', { 'x-frame-options': undefined, 'content-security-policy': undefined }, framing);
          s.checkLeak(
            "the browser renders the authorization server's page inside Mallory's frame",
            `${issuer}/interaction/…`,
            frameUrl,
            frameUrl.startsWith(`${issuer}/interaction/`),
          );
          s.note(
            hasLoginForm > 0
              ? 'The login form is there, under the "Claim prize" button: alice\'s click lands on the authorization server\'s button.'
              : 'The frame shows the authorization server\'s "sign-in expired" page, not the form: its interaction cookie is SameSite=Lax, and the browser neither stores nor sends it inside another site\'s frame. A second layer held here; an authorization server with SameSite=None cookies (some use them for iframe-based silent login), in a browser that still allows third-party cookies, would show the form under the bait.',
          );
          s.sees({
            browser: "the authorization server's page, semi-transparent, under Mallory's button",
            attacker: 'any page of the authorization server she frames, where she wants it',
          });
        }
      },
    );
  },
});
