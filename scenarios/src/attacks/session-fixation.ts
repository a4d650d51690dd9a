import { defineAttack } from '../engine/define-attack.ts';
import { ATTACK_TIMEOUT_MS, signInThroughBff } from '../library/attack-support.ts';
import { findExchange } from '../library/exchanges.ts';
import { sessionCookie } from '../library/browser-view.ts';

/** `name=value` of each Set-Cookie, without the attributes. */
function cookiesSet(response: Response): Array<{ name: string; value: string }> {
  return response.headers.getSetCookie().map((line) => {
    const pair = line.split(';', 1)[0] ?? '';
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

/**
 * Session fixation (OWASP Session Management Cheat Sheet, "Renew the Session ID After Any
 * Privilege Level Change"): Mallory makes the victim's browser use a session id she knows, and
 * waits for the victim to sign in on it.
 */
export const [sessionFixation, sessionFixationWeakened] = defineAttack({
  id: 'attack-session-fixation',
  title: "Session fixation: the attacker plants her session id in alice's browser and waits for her to sign in",
  threat: 'Session fixation (OWASP Session Management Cheat Sheet: "Renew the Session ID After Any Privilege Level Change")',
  defence: 'session-regeneration',
  teaches:
    "The BFF gives the session a brand-new id at the moment it becomes signed in, and destroys the old one. A session id that someone else knew before the login, because she planted it, is worth nothing afterwards. Without the renewal, the planted id becomes alice's signed-in session and Mallory, who kept a copy, is signed in as alice.",
  prerequisites: [
    "Mallory (Attacker) can make alice's browser store a cookie for the app: in real life through a sibling subdomain (evil.example.com may set cookies for .example.com), a cookie-injection bug or a shared computer. The lab plants it directly into the browser.",
    'alice (Resource Owner) signs in through the app as usual, in that browser.',
    'The session cookie is signed (bff_session + bff_session.sig): Mallory cannot forge an id, so she uses a real one the BFF gave her.',
  ],
  async run({ topology, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    let planted: Array<{ name: string; value: string }> = [];
    let plantedId = '';
    const asMallory = () => ({ Cookie: planted.map(({ name, value }) => `${name}=${value}`).join('; '), 'X-CSRF': '1' });

    await step(
      {
        actor: 'Attacker',
        action: 'asks the BFF for a session of her own: she starts a login and stops there',
        look: 'the Set-Cookie of /bff/login: an anonymous session id and its signature',
      },
      async (s) => {
        const response = await fetchAs('attacker', `${spa}/bff/login`);
        planted = cookiesSet(response).filter(({ name }) => name === 'bff_session' || name === 'bff_session.sig');
        plantedId = planted.find(({ name }) => name === 'bff_session')?.value ?? '';
        s.expect('the BFF answers with a redirect to the authorization server', 302, response.status);
        s.expect(
          'and sets a session cookie and its signature',
          ['bff_session', 'bff_session.sig'],
          planted.map(({ name }) => name),
        );
        s.note(
          'Nothing special: any visitor who clicks "Sign in" gets an anonymous session to remember the login attempt. Mallory just keeps the two cookie values.',
        );
        s.sees({
          attacker: `a valid, still anonymous session id (${plantedId.slice(0, 8)}…) and its signature`,
          bff: "an anonymous session holding Mallory's unfinished login",
        });
      },
    );

    const browser = await newUserAgent();
    await step(
      { actor: 'Attacker', action: "plants both cookies in alice's browser, for the app's host", look: "the bff_session alice's browser now holds: Mallory's" },
      async (s) => {
        await browser.addCookies(planted.map(({ name, value }) => ({ name, value, url: spa, httpOnly: true, sameSite: 'Lax' as const })));
        s.expect("alice's browser now carries Mallory's session id", plantedId, (await sessionCookie(browser, spa))?.value);
        s.sees({ browser: 'a session cookie alice never asked for, whose value Mallory knows', attacker: 'the same session id' });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: 'clicks "Sign in" in the app and signs in, as every morning',
        look: 'the Set-Cookie of /bff/callback: a new session id, or none',
      },
      async (s) => {
        const page = await browser.newPage();
        page.setDefaultTimeout(ATTACK_TIMEOUT_MS);
        await signInThroughBff(page, topology, 'alice');
        const exchanges = await s.exchanges();
        const login = findExchange(exchanges, { to: 'bff', path: '/bff/login' });
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        const after = (await sessionCookie(browser, spa))?.value ?? '';
        s.check(
          'her login started on the planted session',
          `Cookie: bff_session=${plantedId.slice(0, 6)}…`,
          login?.requestHeaders.cookie,
          login?.requestHeaders.cookie?.includes(`bff_session=${plantedId.slice(0, 6)}`) ?? false,
        );
        s.expect('the callback signs her in', 302, callback?.status);
        if (defended) {
          s.check(
            'the BFF replaced the session id on login',
            'a new bff_session value',
            after === plantedId ? "unchanged (Mallory's)" : 'a new id',
            after !== '' && after !== plantedId,
          );
          s.note('Renewing the id at the moment of sign-in (session.regenerate()) also destroyed the old one in the session store.');
          s.sees({
            browser: "a new session id that only alice's browser has",
            bff: "alice's tokens, under the new id; Mallory's id is gone",
            attacker: 'an id that no longer exists',
          });
        } else {
          s.checkLeak("the session id did NOT change: alice is signed in on Mallory's id", plantedId.slice(0, 8), after.slice(0, 8), after === plantedId);
          s.note("The BFF wrote alice's user and tokens into the session it already had: the one Mallory created, and still has the cookie for.");
          s.sees({
            browser: 'the same session id as before sign-in',
            bff: "alice's tokens, under the id Mallory planted",
            attacker: "the id of alice's signed-in session",
          });
        }
      },
    );

    await step({ actor: 'Attacker', action: 'asks /bff/user with the session id she kept', look: 'the answer: 401 not_authenticated, or alice' }, async (s) => {
      const response = await fetchAs('attacker', `${spa}/bff/user`, { headers: asMallory() });
      const body = (await response.json().catch(() => ({}))) as { error?: string; claims?: { preferred_username?: string } };
      if (defended) {
        s.expect('the BFF knows no session by that id', 401, response.status);
        s.expect('and answers not_authenticated', 'not_authenticated', body.error);
        s.sees({ attacker: 'a dead session id' });
      } else {
        s.expectLeak('the BFF answers as for alice', 200, response.status);
        s.expectLeak('Mallory is signed in as alice', 'alice', body.claims?.preferred_username);
        s.sees({ attacker: "alice's signed-in session, without her password" });
      }
    });

    await step({ actor: 'Attacker', action: "reads the notes through the app's API proxy with the same cookie", look: 'whose notes come back' }, async (s) => {
      const response = await fetchAs('attacker', `${spa}/api/notes`, { headers: asMallory() });
      const body = (await response.json().catch(() => ({}))) as { error?: string; owner?: string; notes?: Array<{ text: string }> };
      const forwarded = findExchange(await s.exchanges(), { to: 'resource-api', path: '/notes' });
      if (defended) {
        s.expect('the BFF refuses: no signed-in session', { status: 401, error: 'not_authenticated' }, { status: response.status, error: body.error });
        s.expect('and forwards nothing to the notes API', undefined, forwarded?.status);
        s.sees({ attacker: "nothing of alice's", api: 'no request' });
      } else {
        s.expectLeak("the BFF forwards with alice's access token", 200, forwarded?.status);
        s.expectLeak("and Mallory reads alice's notes", 'alice', body.owner);
        s.note(`For example: "${body.notes?.[0]?.text ?? ''}"`);
        s.sees({
          attacker: "alice's notes, and the power to write new ones, until alice signs out",
          api: 'a valid token for alice: nothing to tell it is Mallory asking',
        });
      }
    });
  },
});
