import { DEMO_USERS } from '@lab/shared';
import { html } from '@lab/kit';
import { renderPage } from './layout.ts';

export interface LoginPageInput {
  readonly uid: string;
  readonly clientName: string;
  readonly username?: string;
  readonly error?: string;
}

/**
 * The sign-in form. Posts to this server only; the password never travels to the client.
 * Returns the page's text, ready for `ctx.body`.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const users = DEMO_USERS.map((user, index) => html`${index > 0 && '; '}<code>${user.username}</code> / <code>${user.password}</code> (${user.part})`);
  return renderPage(
    'Sign in',
    html`<h1>Sign in</h1>
<p><strong>${input.clientName}</strong> sent you here to sign in.</p>
${input.error && html`<p class="error" role="alert">${input.error}</p>`}
<form method="post" action="/interaction/${input.uid}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" required autofocus value="${input.username}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button class="primary" type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${input.uid}/abort"><button type="submit">Cancel</button></form>
<p class="hint">Demo users: ${users}.</p>`,
  ).toString();
}
