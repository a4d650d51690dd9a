import { defineAttack } from '../engine/define-attack.ts';
import { ATTACK_TIMEOUT_MS } from '../library/attack-support.ts';
import { signInAtAuthorizationServer } from '../library/sign-in.ts';
import { findExchange } from '../library/exchanges.ts';

/**
 * RFC 9700 §4.11.1: the client as an open redirector. The BFF sends the browser to `returnTo`
 * after the login; if any URL is accepted there, a link to the real app ends on Mallory's page.
 */
export const [openRedirect, openRedirectWeakened] = defineAttack({
  id: 'attack-open-redirect',
  title: "Open redirect through returnTo: a link to the real app ends on the attacker's page",
  threat: 'RFC 9700 §4.11.1: the client as an open redirector (`returnTo` of /bff/login pointing at another site)',
  defence: 'return-to-validation',
  teaches:
    'The BFF accepts as returnTo only a path on its own origin, resolved the way a browser would resolve it, so `https://evil`, `//evil` and `/\\evil` are refused with 400 invalid_return_to before any redirect. Without that check, a genuine link to the app, and a genuine sign-in, deliver the user to a phishing page that looks like the app.',
  prerequisites: [
    'alice (Resource Owner) uses a fresh browser (User Agent) with no cookies.',
    "Mallory (Attacker) runs the attacker's site (http://[::1]:6660 by default), a third site; its /landing page logs every arrival and plays a phishing page.",
    "The link Mallory sends is on the real app's origin: mail filters and alice see a trustworthy host.",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const attacker = topology.attacker.url;
    const landing = `${attacker}/landing`;
    const link = `${spa}/bff/login?returnTo=${encodeURIComponent(landing)}`;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();
    page.setDefaultTimeout(ATTACK_TIMEOUT_MS);

    await step(
      {
        actor: 'Attacker',
        action: 'mails alice a "sign in to see your notes" link to the real app, with returnTo pointing at her own site',
        look: "the host of the link (the app's) and its returnTo (Mallory's)",
      },
      async (s) => {
        s.note(`The link: ${link}`);
        s.expect("the link's host is the real app", spa, new URL(link).origin);
        s.expect("its returnTo names the attacker's page", landing, new URL(link).searchParams.get('returnTo'));
        s.sees({ attacker: 'nothing yet: a link sent', browser: 'an email with a link to the app it knows' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'clicks the link: her browser asks the BFF to start a login',
        look: "the BFF's answer to /bff/login: a refusal, or a redirect to the authorization server",
      },
      async (s) => {
        const response = await page.goto(link).catch(() => null);
        const login = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/login' });
        if (defended) {
          const body = (await response?.json().catch(() => undefined)) as { error?: string } | undefined;
          s.expect('the BFF refuses before any redirect', 400, login?.status);
          s.expect('with the error invalid_return_to', 'invalid_return_to', body?.error);
          s.expect('and no Location header: the browser goes nowhere', undefined, login?.responseHeaders.location);
          s.note("The check resolves returnTo against the app's origin, as a browser would, and compares origins: only a path on this site passes.");
          s.sees({ browser: 'a JSON error from the app, no login page', bff: 'no login attempt stored, nothing to redirect to' });
        } else {
          s.expectLeak('the BFF accepts returnTo and redirects to the authorization endpoint', 302, login?.status);
          s.expectLeak('alice sees the real login page of the authorization server', issuer, new URL(page.url()).origin);
          s.note(
            "Everything she sees is genuine: the app's link, the authorization server's page. The bad returnTo is stored in the BFF's login attempt, out of sight.",
          );
          s.sees({ browser: "the authorization server's login page", bff: `a login attempt whose returnTo is ${landing}` });
        }
      },
    );

    if (defended) {
      await step(
        {
          actor: 'Attacker',
          action:
            'tests the usual disguises of another host before mailing them (plain requests, as a browser following each link sends them): protocol-relative, backslashes, a tab the URL parser strips',
          look: 'each answer: 400 invalid_return_to',
        },
        async (s) => {
          const host = new URL(attacker).host;
          const disguises = [`//${host}/landing`, `/\\${host}/landing`, `\\\\${host}/landing`, `/\t/${host}/landing`];
          for (const returnTo of disguises) {
            const response = await fetchAs('user-agent', `${spa}/bff/login?returnTo=${encodeURIComponent(returnTo)}`);
            const body = (await response.json().catch(() => ({}))) as { error?: string };
            s.expect(
              `returnTo=${JSON.stringify(returnTo)} is refused with 400 invalid_return_to`,
              { status: 400, error: 'invalid_return_to' },
              { status: response.status, error: body.error },
            );
          }
          s.note(
            'Browsers read "//host", "/\\host" and "/<tab>/host" as another host; the BFF refuses backslashes, control characters and a leading "//", then resolves what is left and compares origins.',
          );
          s.sees({ attacker: 'four refusals and no redirect' });
        },
      );
    } else {
      await step(
        {
          actor: 'Resource Owner',
          action: 'signs in at the authorization server; the BFF sends her on to "where she came from"',
          look: "the Location of the callback's redirect, and the page she ends on",
        },
        async (s) => {
          let arrived = false;
          if (new URL(page.url()).origin === issuer) {
            await signInAtAuthorizationServer(page, topology, 'alice');
            arrived = await page
              .waitForURL((url) => url.origin === attacker, { timeout: ATTACK_TIMEOUT_MS })
              .then(
                () => true,
                () => false,
              );
          }
          const callback = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/callback' });
          s.expectLeak("the callback redirects to returnTo: the attacker's page", landing, callback?.responseHeaders.location);
          s.checkLeak("alice's browser ends on the attacker's site", attacker, new URL(page.url()).origin, arrived);
          s.note('A page that looks like the app asks her to "sign in again": she has just signed in for real, so she trusts it.');
          s.sees({ browser: `${page.url()}: the attacker's page, reached from a link to the app`, bff: "alice's tokens (the login itself worked)" });
        },
      );
    }

    await step({ actor: 'Attacker', action: 'checks who arrived at her landing page', look: "the attacker's log of landings" }, async (s) => {
      const landings = (await lab.loot()).filter((item) => item.channel === 'landing');
      if (defended) {
        s.expect('nobody arrived', 0, landings.length);
        s.sees({ attacker: 'no visitor' });
      } else {
        s.expectLeak("alice arrived, straight from the app's callback", 1, landings.length);
        s.note(
          'Everyone who lands here has just signed in to the real app and trusts the next page: Mallory serves a "session expired, sign in again" form, or a "download" to run.',
        );
        s.sees({ attacker: 'a visitor who trusts the page she is on' });
      }
    });
  },
});
