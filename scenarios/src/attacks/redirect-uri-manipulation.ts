import { defineScenario } from '../engine/scenario.ts';
import type { LabTopology } from '@lab/shared';
import { createPkcePair } from '../library/attack-tools.ts';
import { findExchange } from '../library/exchanges.ts';

/** The error oidc-provider answers for an unregistered redirect_uri, shown on its own error page. */
const INVALID_REDIRECT_URI = 'invalid_redirect_uri';

/** An authorization request for client bff that is correct in every way except, maybe, its redirect_uri. */
function authorizationRequest(topology: LabTopology, redirectUri: string): string {
  const { code_challenge } = createPkcePair();
  const query = new URLSearchParams({
    client_id: 'bff',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile notes:read',
    resource: topology['resource-api'].url,
    state: 'mallory-was-here',
    code_challenge,
    code_challenge_method: 'S256',
  });
  return `${topology.authserver.url}/auth?${query}`;
}

/** The error code and description on the authorization server's error page, if the page is one. */
function errorOnPage(html: string): { error?: string; description?: string } {
  const found = html.match(/role="alert"><code>([\w-]+)<\/code>(?::\s*([^<]*))?/);
  return { error: found?.[1], description: found?.[2]?.replaceAll('&#39;', "'").trim() };
}

/**
 * RFC 9700 §4.1: redirect URI manipulation. If the authorization server sent codes wherever an
 * authorization request said, one link would deliver alice's code to Mallory's site. It compares
 * the redirect_uri with the registered one as exact strings (§4.1.3, §2.1). oidc-provider always
 * does, so this attack has no weakened twin: there is no switch to turn exact matching off.
 */
export const redirectUriManipulation = defineScenario({
  id: 'attack-redirect-uri',
  title: "redirect_uri manipulation: the code sent to Mallory's site? (no weakened twin)",
  kind: 'attack',
  threat: 'RFC 9700 §4.1: insufficient redirect URI validation',
  teaches:
    'The authorization server compares redirect_uri with the URI registered for the client, character for character (RFC 9700 §2.1, §4.1.3): another host, a longer path, a dot-segment or another port is refused with invalid_redirect_uri on its own error page, and it redirects nowhere, because a request with a foreign redirect_uri is not trusted to receive even an error. oidc-provider always matches exactly; the lab has no switch to weaken it, so this attack has no weakened run.',
  prerequisites: [
    "Mallory (Attacker) writes authorization requests for client bff and gets alice's browser to open them (a link). Each request is complete and correct (PKCE, state, scope, resource) except for its redirect_uri.",
    "The BFF registered exactly one redirect URI: the app's /bff/callback.",
  ],
  async run({ topology, step, fetchAs }) {
    const registered = `${topology.spa.url}/bff/callback`;
    const appPort = topology.spa.port;
    const variants: ReadonlyArray<{ action: string; redirectUri: string; why: string }> = [
      {
        action: 'points redirect_uri at her own site',
        redirectUri: `${topology.attacker.url}/callback`,
        why: 'another site altogether: the code would go straight to Mallory',
      },
      {
        action: 'appends to the registered path (prefix matching)',
        redirectUri: `${registered}.evil`,
        why: 'a prefix match would accept it; a path she can serve on a shared host would receive the code',
      },
      {
        action: 'climbs out of the registered path with dot-segments',
        redirectUri: `${registered}/../../x`,
        why: 'starts with the registered URI; a browser would resolve it to /x, perhaps an open redirect or a page with her script',
      },
      {
        action: 'keeps host and path, changes the port',
        redirectUri: registered.replace(`:${appPort}`, `:${appPort + 1}`),
        why: 'another port is another origin: another program on the same machine',
      },
      {
        action: 'adds a query parameter to the registered URI',
        redirectUri: `${registered}?next=${encodeURIComponent(topology.attacker.url)}`,
        why: 'the BFF might act on parameters it did not expect',
      },
    ];

    await step(
      {
        actor: 'Authorization Server',
        action: 'receives the request with the registered redirect_uri (the control case)',
        look: 'a 303 to its login page: the request is accepted',
      },
      async (s) => {
        const response = await fetchAs('user-agent', authorizationRequest(topology, registered));
        s.expect(
          'the authorization server accepts it and asks alice to sign in',
          { status: 303, location: '/interaction/…' },
          { status: response.status, location: response.headers.get('location')?.replace(/[\w-]+$/, '…') },
        );
        s.note('This is the request Mallory starts from: valid in every way. Each next step changes only the redirect_uri.');
      },
    );

    for (const variant of variants) {
      await step(
        { actor: 'Attacker', action: `${variant.action}: redirect_uri=${variant.redirectUri}`, look: "no redirect: the authorization server's own error page" },
        async (s) => {
          const response = await fetchAs('user-agent', authorizationRequest(topology, variant.redirectUri));
          const shown = errorOnPage(await response.text());
          s.expect('the authorization server refuses the request', 400, response.status);
          s.expect('with invalid_redirect_uri on its error page', INVALID_REDIRECT_URI, shown.error);
          s.expect('and redirects nowhere: no Location header, no code, no error sent to that URI', null, response.headers.get('location'));
          s.expect("nothing reaches Mallory's site", undefined, findExchange(await s.exchanges(), { to: 'attacker' })?.url);
          s.note(`The page says: "${shown.error}: ${shown.description ?? ''}"`);
          s.note(`Why Mallory tries it: ${variant.why}.`);
          s.sees({ browser: "the authorization server's error page; alice is never asked to sign in", attacker: 'nothing: no request reached her' });
        },
      );
    }
  },
});
