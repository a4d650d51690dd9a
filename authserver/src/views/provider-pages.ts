import type { Context } from 'koa';
import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import { AnonymousEntriesFull } from '../storage/anonymous-entries.ts';
import { html, rawHtml } from '@lab/kit';
import { renderPage } from './layout.ts';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2). `form` is oidc-provider's own
 * form, with its CSRF (`xsrf`) field. When a registered client sends the user here with one of its
 * registered post_logout_redirect_uris, the sign-out goes on without a question (the BFF already
 * ended its session; asking again only leaves a live single sign-on session behind by mistake):
 * the form submits itself with `logout=yes`. Anyone else gets the question. The cost, accepted
 * here as by many providers: a page that links here can sign a user out (a nuisance, not a theft).
 * The form goes in as oidc-provider built it (its endpoint's URL and a random `xsrf` secret).
 */
export function renderLogoutPage(ctx: KoaContextWithOIDC, form: string): void {
  const client = ctx.oidc.client;
  const fromRegisteredClient = client !== undefined && typeof ctx.oidc.params?.post_logout_redirect_uri === 'string';
  ctx.type = 'html';
  if (fromRegisteredClient) {
    const confirmed = rawHtml(form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>'));
    ctx.body = renderPage(
      'Signing out',
      html`<h1>Signing you out here too…</h1>
<p><strong>${client.clientName ?? client.clientId}</strong> has ended your session in the app; the Authorization Server now ends its own (single sign-on) session, so the next sign-in asks for your password again.</p>
${confirmed}
<noscript><button class="primary" type="submit" form="op.logoutForm">Sign me out</button></noscript>
<script>document.getElementById('op.logoutForm').submit();</script>`,
    ).toString();
    return;
  }
  ctx.body = renderPage(
    'Sign out',
    html`<h1>Sign out here too?</h1>
<p>A sign-out was requested. Your session at the Authorization Server (single sign-on) is still open: end it, so the next sign-in asks for your password again.</p>
${rawHtml(form)}
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in here</button>`,
  ).toString();
}

export function renderLoggedOutPage(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = renderPage('Signed out', html`<h1>Signed out</h1><p>Your session at the Authorization Server has ended.</p>`).toString();
}

/**
 * Errors shown to the browser: bad authorization requests that cannot be redirected back, and
 * the wait when too many sign-ins are in progress (its status, 429, and `Retry-After` are set
 * by the provider and storage/send-retry-after.ts).
 */
export function renderErrorPage(ctx: Context, out: ErrorOut, error?: Error): void {
  ctx.type = 'html';
  if (error instanceof AnonymousEntriesFull) {
    ctx.body = renderPage(
      'Busy',
      html`<h1>The Authorization Server is too busy right now</h1>
<p class="error" role="alert"><code>${out.error}</code>${out.error_description && html`: ${out.error_description}`}</p>
<p class="hint">Nothing is wrong with your account, and whoever is signed in stays signed in. To sign in, go back to the app and try again in ${error.retryAfterSeconds} seconds.</p>`,
    ).toString();
    return;
  }
  ctx.body = renderPage(
    'Error',
    html`<h1>The Authorization Server refused this request</h1>
<p class="error" role="alert"><code>${out.error}</code>${out.error_description && html`: ${out.error_description}`}</p>
<p class="hint">It cannot send you back to the client: the request itself is not trusted (for example, its <code>redirect_uri</code> is not registered).</p>`,
  ).toString();
}
