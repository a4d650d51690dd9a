import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import { escapeHtml, renderPage } from './layout.ts';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2): the user confirms that the
 * authorization server session ends too. `form` is oidc-provider's own form, with its CSRF field.
 */
export function renderLogoutPage(ctx: KoaContextWithOIDC, form: string): void {
  const client = ctx.oidc.client;
  ctx.type = 'html';
  ctx.body = renderPage(
    'Sign out',
    `<h1>Sign out here too?</h1>
<p>${client ? `<strong>${escapeHtml(client.clientName ?? client.clientId)}</strong> has ended your session in the app.` : 'A sign-out was requested.'}
Your session at the Authorization Server (single sign-on) is still open: end it too, so the next sign-in asks for your password again.</p>
${form}
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in here</button>`,
  );
}

export function renderLoggedOutPage(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = renderPage('Signed out', '<h1>Signed out</h1><p>Your session at the Authorization Server has ended.</p>');
}

/** Errors shown to the browser (bad authorization requests that cannot be redirected back). */
export function renderErrorPage(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  ctx.type = 'html';
  ctx.body = renderPage(
    'Error',
    `<h1>The Authorization Server refused this request</h1>
<p class="error" role="alert"><code>${escapeHtml(out.error)}</code>${out.error_description ? `: ${escapeHtml(out.error_description)}` : ''}</p>
<p class="hint">It cannot send you back to the client: the request itself is not trusted (for example, its <code>redirect_uri</code> is not registered).</p>`,
  );
}
