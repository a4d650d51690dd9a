import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { startLogin } from './bff-client.ts';
import { sharedStyles } from './shared-styles.ts';

/**
 * The signed-out view: one button that sends the browser to the BFF's `/bff/login`, which starts
 * the Authorization Code flow with PKCE at the authorization server.
 */
@customElement('sign-in-card')
export class SignInCard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .notice {
        border-left: 6px solid var(--accent);
        background: var(--accent-soft);
        padding: 0.6rem 1rem;
        border-radius: 6px;
        margin: 0 0 1rem;
        font-weight: 600;
      }

      .actions {
        margin: 1.25rem 0;
      }

      button {
        font-size: 1.15rem;
        padding: 0.7rem 1.8rem;
      }

      table {
        border-collapse: collapse;
        margin-top: 0.5rem;
      }

      th,
      td {
        text-align: left;
        padding: 0.3rem 1.5rem 0.3rem 0;
        border-bottom: 1px solid var(--line);
      }

      th {
        font-size: 0.85rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--muted);
      }
    `,
  ];

  /** Why the user is signed out, when there is something to say (e.g. "Your session has ended."). */
  @property() notice = '';

  override render() {
    return html`
      <section class="card">
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        <h2>You are signed out</h2>
        <p class="lead">
          Signing in takes you to the authorization server. After you log in there, it sends you back to the BFF,
          which keeps the tokens and gives this browser only an HttpOnly session cookie.
        </p>
        <div class="actions">
          <button data-testid="login-button" @click=${this.signIn}>Sign in</button>
        </div>
        <p>Demo users on the authorization server:</p>
        <table data-testid="demo-users">
          <thead>
            <tr><th>Username</th><th>Password</th><th>Plays</th></tr>
          </thead>
          <tbody>
            ${__LAB_DEMO_USERS__.map(
              (user) => html`<tr><td class="mono">${user.username}</td><td class="mono">${user.password}</td><td>${user.part}</td></tr>`,
            )}
          </tbody>
        </table>
      </section>
    `;
  }

  private signIn(): void {
    // Come back to this very page after the login.
    startLogin(location.pathname + location.search);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sign-in-card': SignInCard;
  }
}
