import type { BrowserContext } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import { defineAttack } from '../engine/define-attack.ts';
import { errorCodeOf, pollFor } from '../library/attack-support.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { findExchanges } from '../library/exchanges.ts';

/** What the attacker's /csrf page writes into the victim's notes (then "(cross-site request)" or "(cross-site form)"). */
const FORGED_NOTE = 'Mallory was here';

/** alice's notes, read the way the app reads them: through the BFF, with her cookie and X-CSRF. */
async function notesOf(browser: BrowserContext, spa: string): Promise<{ status: number; owner?: string; texts: string[] }> {
  const response = await browser.request.get(`${spa}/api/notes`, { headers: { 'X-CSRF': '1' } });
  const body = (await response.json().catch(() => ({}))) as { owner?: string; notes?: Array<{ text: string }> };
  return { status: response.status(), owner: body.owner, texts: (body.notes ?? []).map((note) => note.text) };
}

function forgedNotesIn(texts: readonly string[]): number {
  return texts.filter((text) => text.startsWith(FORGED_NOTE)).length;
}

/** How one forged request went, as the BFF recorded it. */
function outcome(event: TraceEvent): { request: string; cookie: boolean; status?: number; error?: string } {
  return {
    request: `${event.method} ${new URL(event.url).pathname}`,
    cookie: event.requestHeaders.cookie?.includes('bff_session=') ?? false,
    status: event.status,
    error: errorCodeOf(event.responseBody),
  };
}

/**
 * Cross-site request forgery against the API proxy: another site makes alice's browser call
 * /api/notes, hoping the browser attaches her session cookie (OWASP CSRF; OAuth 2.0 for
 * Browser-Based Applications, BFF section: a custom request header and SameSite cookies).
 */
export const [csrf, csrfWeakened] = defineAttack({
  id: 'attack-csrf',
  title: "Cross-site request forgery: another site writes into alice's notes through her browser",
  threat:
    'Cross-site request forgery (OWASP CSRF Prevention Cheat Sheet; OAuth 2.0 for Browser-Based Applications, BFF section: CSRF protection with a custom header and SameSite cookies)',
  defence: 'csrf-header',
  weaken: ['cookie-samesite', 'csrf-header'],
  teaches:
    "A BFF session is a cookie, and browsers attach cookies to requests whoever triggers them. Two defences stop a forged request: SameSite=Lax keeps the cookie off cross-site subrequests and cross-site POSTs, and the BFF refuses any /api call without the header X-CSRF: 1 (403 csrf_header_missing), which another site cannot add without a CORS preflight that the app never approves. With both off, a page on another site writes into alice's notes as alice.",
  prerequisites: [
    'alice (Resource Owner) is signed in to the app in her browser (User Agent).',
    'In another tab of the same browser she opens a page of Mallory\'s site ("You won a prize!", http://[::1]:6660/csrf by default), a third site.',
    `That page makes her browser send POST /api/notes with a text/plain body {"text":"${FORGED_NOTE} …"} (the kind of body a plain HTML form sends) and GET /api/notes, with her cookies wherever the browser allows, and reports what it could read to its own /collect/csrf.`,
  ],
  async run({ topology, lab, step, newUserAgent }, { defended }) {
    const spa = topology.spa.url;
    const attacker = topology.attacker.url;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    let forgedBefore = 0;
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app and looks at her notes',
        look: `her notes: the seed notes (every run starts from them), none saying "${FORGED_NOTE}"`,
      },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        const notes = await notesOf(browser, spa);
        forgedBefore = forgedNotesIn(notes.texts);
        s.expect('her notes come back through the BFF', { status: 200, owner: 'alice' }, { status: notes.status, owner: notes.owner });
        s.note(
          `${notes.texts.length} notes, ${forgedBefore === 0 ? 'none' : forgedBefore} of them "${FORGED_NOTE} …": whatever the attack writes below is new.`,
        );
        s.sees({ browser: 'bff_session for localhost, sent with her own requests', bff: "alice's tokens" });
      },
    );

    await step(
      {
        actor: 'Resource Owner',
        action: `opens Mallory's prize page in another tab: ${attacker}/csrf`,
        look: 'the requests it makes her browser send to /api/notes: does the Cookie header go with them, and what does the BFF answer?',
      },
      async (s) => {
        const evil = await browser.newPage();
        await evil.goto(`${attacker}/csrf`);
        // The page reports to its own /collect/csrf once its calls are answered.
        const report = await pollFor(async () => (await lab.loot()).find((item) => item.channel === 'collect' && item.label === 'csrf'));
        // It may end with a top-level form POST to the app: give that a moment to arrive.
        await evil.waitForURL((url) => url.origin === spa, { timeout: 1_000 }).catch(() => undefined);
        const exchanges = await s.exchanges();
        const forged = findExchanges(exchanges, { to: 'bff', path: '/api/notes' }).filter((event) => event.requestHeaders.origin === attacker);
        const writes = forged.filter((event) => event.method === 'POST');
        const forwarded = findExchanges(exchanges, { to: 'resource-api', method: 'POST', path: '/notes' });
        s.check('the page made its calls and reported to its own site', 'a report at /collect/csrf', report ? 'reported' : 'no report', report !== undefined);
        s.check(
          'the BFF received forged requests, among them a write',
          "at least one POST /api/notes from the attacker's origin",
          forged.map(outcome),
          writes.length > 0,
        );
        s.expect(
          'all labelled cross-site by the browser (Sec-Fetch-Site)',
          forged.map(() => 'cross-site'),
          forged.map((event) => event.requestHeaders['sec-fetch-site']),
        );
        s.expect(
          'none carries X-CSRF: another site cannot add it without a CORS preflight',
          [],
          forged.filter((event) => event.requestHeaders['x-csrf'] !== undefined).map(outcome),
        );
        if (defended) {
          s.expect("SameSite=Lax: the browser attached alice's cookie to none of them", [], forged.filter((event) => outcome(event).cookie).map(outcome));
          s.expect(
            'the BFF refuses every one: 403 csrf_header_missing',
            forged.map(() => ({ status: 403, error: 'csrf_header_missing' })),
            forged.map(({ status, responseBody }) => ({ status, error: errorCodeOf(responseBody) })),
          );
          s.expect('nothing reaches the notes API', 0, forwarded.length);
          s.note(
            'Two defences, each enough here: without the cookie the BFF would answer 401 not_authenticated; the header check comes first and answers 403 csrf_header_missing.',
          );
          s.sees({ browser: 'refused requests, sent without the session cookie', bff: 'anonymous cross-site calls, refused', api: 'nothing' });
        } else {
          const carried = writes.filter((event) => outcome(event).cookie);
          s.checkLeak(
            "SameSite=None: alice's session cookie went along with a forged write",
            'a POST with Cookie: bff_session=…',
            writes.map(outcome),
            carried.length > 0,
          );
          s.checkLeak(
            'the BFF took the text/plain body for JSON and forwarded it: 201 Created',
            '201',
            carried.map(({ status }) => status),
            carried.some(({ status }) => status === 201),
          );
          s.checkLeak(
            "to the notes API, with alice's access token",
            'DPoP eyJ…',
            forwarded.map((event) => event.requestHeaders.authorization),
            forwarded.some((event) => event.status === 201 && (event.requestHeaders.authorization?.startsWith('DPoP eyJ') ?? false)),
          );
          if (writes.some((event) => !outcome(event).cookie)) {
            s.note(
              'The fetch() calls went without the cookie even so: this browser blocks third-party cookies in cross-site subrequests, whatever their SameSite. The top-level form POST is a first-party request, and a SameSite=None cookie goes with it.',
            );
          }
          s.note(
            'The JSON-in-a-form trick: an HTML form can send only three content types, and text/plain is one. A form with enctype="text/plain" and one field named {"text":"… whose value is the rest of the JSON posts a body that reads as JSON. A server that parses any body as JSON (this one, with the CSRF header check off) takes it; one that insists on Content-Type: application/json does not, since a cross-site form cannot send that type without a CORS preflight.',
          );
          s.note(
            'The BFF cannot tell this POST from one the app makes: it carries alice\'s cookie and a JSON body. Origin and Sec-Fetch-Site say "another site", but nothing checks them once the CSRF header check is off.',
          );
          s.sees({
            browser: "alice's cookie, sent along with Mallory's request",
            bff: "a request it takes for alice's",
            api: 'a valid token for alice and a note to store',
          });
        }
      },
    );

    await step(
      { actor: 'Attacker', action: 'reads the report her page sent to /collect/csrf', look: 'what the page could read of the answer to its GET' },
      async (s) => {
        const report = (await lab.loot()).find((item) => item.channel === 'collect' && item.label === 'csrf');
        const data = (report?.data ?? {}) as { read?: string };
        s.check(
          'the answer to the read was unreadable: the app sends no CORS header to other sites',
          'unreadable: …',
          data.read,
          data.read?.startsWith('unreadable') ?? false,
        );
        s.note(
          'The same-origin policy keeps the answer from the page in both runs: CSRF is about what a request does, not what comes back. The damage is the write.',
        );
        s.sees({ attacker: defended ? 'refusals she could not even read' : 'no data, but a write that went through' });
      },
    );

    await step(
      { actor: 'Resource Owner', action: 'goes back to the app and reloads her notes', look: `whether a "${FORGED_NOTE} …" note was added` },
      async (s) => {
        const notes = await notesOf(browser, spa);
        const forgedAfter = forgedNotesIn(notes.texts);
        s.expect('her notes come back through the BFF', { status: 200, owner: 'alice' }, { status: notes.status, owner: notes.owner });
        if (defended) {
          s.expect(`no new "${FORGED_NOTE} …" note`, forgedBefore, forgedAfter);
          s.sees({ browser: 'her notes, unchanged' });
        } else {
          s.checkLeak(`a new "${FORGED_NOTE} …" note in alice's notes`, `more than ${forgedBefore}`, forgedAfter, forgedAfter > forgedBefore);
          s.note("Written with alice's identity by a page she only visited. A real attacker would post, pay, or change the account's e-mail address.");
          s.sees({ browser: 'a note alice never wrote', api: "a note stored as alice's" });
        }
      },
    );
  },
});
