import { html } from '@lab/kit';
import { renderPage } from './layout.ts';

/** What each scope lets the client do, in the words a Resource Owner understands. */
const SCOPE_MEANINGS: Readonly<Record<string, string>> = {
  openid: 'know who you are (your user id)',
  profile: 'see your name and username',
  email: 'see your email address',
  offline_access: 'keep access while you are away',
  'notes:read': 'read your notes',
  'notes:write': 'add notes in your name',
};

export interface ConsentPageInput {
  readonly uid: string;
  readonly clientId: string;
  readonly clientName: string;
  readonly username: string;
  readonly oidcScopes: readonly string[];
  readonly resourceScopes: Readonly<Record<string, readonly string[]>>;
}

/**
 * The consent page: which client asks, for which scopes, on which resource (RFC 8707).
 * Returns the page's text, ready for `ctx.body`.
 */
export function renderConsentPage(input: ConsentPageInput): string {
  const item = (scope: string) => html`<li><code>${scope}</code>: ${SCOPE_MEANINGS[scope] ?? scope}</li>`;
  const resources = Object.entries(input.resourceScopes).map(
    ([resource, scopes], index) => html`${index > 0 && '\n'}<p>On the resource <code>${resource}</code>:</p>
<ul class="scopes">${scopes.map(item)}</ul>`,
  );
  return renderPage(
    'Allow access',
    html`<h1>Allow access?</h1>
<p>Signed in as <strong>${input.username}</strong>.</p>
<p>The client <strong>${input.clientName}</strong> (<code>client_id=${input.clientId}</code>) asks to:</p>
${input.oidcScopes.length > 0 && html`<ul class="scopes">${input.oidcScopes.map(item)}</ul>`}
${resources}
<form method="post" action="/interaction/${input.uid}/confirm" style="display:inline">
  <button class="primary" type="submit" autofocus>Allow</button>
</form>
<form method="post" action="/interaction/${input.uid}/abort" style="display:inline">
  <button type="submit">Deny</button>
</form>
<p class="hint">${
      input.clientId === 'bff'
        ? 'Allowing issues tokens to the BFF (a confidential client). Your browser will only get a session cookie.'
        : html`Allowing issues tokens to <code>${input.clientId}</code>, a public client: whoever runs it holds them.`
    }</p>`,
  ).toString();
}
