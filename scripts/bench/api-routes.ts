import type { LabTopology } from '@lab/shared';
import type { Route } from './throughput.ts';

/**
 * The same `GET /notes` three ways, as the issue measured them: the resource API called directly
 * with a bearer token (what a client holding the token would do), through the BFF on its own port
 * with the session cookie and `X-CSRF: 1`, and through the app's origin (the server of the app,
 * which forwards `/api/*` to the BFF), as the browser calls it. A load tool cannot make a DPoP proof
 * per request, so `browser` signed in while the `dpop` defence was off (bearer tokens); given
 * `dpopBrowser`, signed in with it on (the default), the BFF path with DPoP is measured too,
 * against the same direct bearer call.
 */
export async function describeNotesRoutes(
  topology: LabTopology,
  browser: { appCookie(): string },
  controlKey: string,
  dpopBrowser?: { appCookie(): string },
): Promise<Route[]> {
  const accessToken = await readAccessToken(topology, controlKey, 'alice');
  const asBrowser = { Cookie: browser.appCookie(), 'X-CSRF': '1', Accept: 'application/json' };
  const routes: Route[] = [
    { name: 'direct', url: `${topology['resource-api'].url}/notes`, headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } },
    { name: 'bff', url: `${topology.bff.url}/api/notes`, headers: asBrowser },
    ...(dpopBrowser
      ? [{ name: 'bff-dpop', url: `${topology.bff.url}/api/notes`, headers: { Cookie: dpopBrowser.appCookie(), 'X-CSRF': '1', Accept: 'application/json' } }]
      : []),
    { name: 'app-origin', url: `${topology.spa.url}/api/notes`, headers: asBrowser },
  ];
  // Load on a route that refuses is no figure: each must answer 200 before it is measured.
  for (const route of routes) {
    const response = await fetch(route.url, { headers: route.headers, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${new URL(route.url).pathname} (${route.name}) answered ${response.status} before the load`);
  }
  return routes;
}

/**
 * The access token of `sub`'s session, from the BFF's store through the lab's breach route (the
 * only place the lab hands one out). It goes into a header and nowhere else: never printed.
 */
async function readAccessToken(topology: LabTopology, controlKey: string, sub: string): Promise<string> {
  const response = await fetch(`${topology.bff.url}/_lab/session-store`, { headers: { 'X-Lab-Key': controlKey }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /_lab/session-store answered ${response.status}`);
  const { sessions } = (await response.json()) as { sessions: Array<{ sub?: string; tokens?: { accessToken?: string } }> };
  const token = sessions.find((session) => session.sub === sub && session.tokens?.accessToken)?.tokens?.accessToken;
  if (!token) throw new Error(`the BFF holds no access token for ${sub}`);
  return token;
}

/** Switches the `dpop` defence off or on in every service of the lab (the lab's control routes). */
export async function setDpop(topology: LabTopology, controlKey: string, state: 'on' | 'off'): Promise<void> {
  for (const service of ['authserver', 'bff', 'resource-api'] as const) {
    const response = await fetch(`${topology[service].url}/_lab/settings`, {
      method: 'PUT',
      headers: { 'X-Lab-Key': controlKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ weakened: state === 'off' ? ['dpop'] : [] }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`PUT ${service} /_lab/settings answered ${response.status}`);
  }
}
