import { DEMO_USERS } from '@lab/shared';
import { escapeHtml, renderPage } from './layout.ts';

export interface LoginPageInput {
  readonly uid: string;
  readonly clientName: string;
  readonly username?: string;
  readonly error?: string;
}

/** The sign-in form. Posts to this server only; the password never travels to the client. */
export function renderLoginPage(input: LoginPageInput): string {
  const users = DEMO_USERS.map((user) => `<code>${escapeHtml(user.username)}</code> / <code>${escapeHtml(user.password)}</code> (${escapeHtml(user.part)})`);
  return renderPage(
    'Sign in',
    `<h1>Sign in</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> sent you here to sign in.</p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(input.uid)}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" required autofocus value="${escapeHtml(input.username ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button class="primary" type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(input.uid)}/abort"><button type="submit">Cancel</button></form>
<p class="hint">Demo users: ${users.join('; ')}.</p>`,
  );
}
