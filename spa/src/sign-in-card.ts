import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { getAppClient } from './app-client.ts';
import { BffError } from './bff-client.ts';
import type { LabMode } from './lab-state.ts';
import { sharedStyles } from './shared-styles.ts';

/**
 * The signed-out view: one button that starts the Authorization Code flow with PKCE at the
 * authorization server: through the BFF's `/bff/login`, or, in the anti-pattern mode, from the
 * browser itself.
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

  @state() private mode: LabMode = 'bff';
  @state() private error?: BffError;

  override connectedCallback(): void {
    super.connectedCallback();
    void getAppClient().then(
      (client) => (this.mode = client.mode),
      () => undefined,
    );
  }

  override render() {
    return html`
      <section class="card">
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        <h2>You are signed out</h2>
        <p class="lead">
          ${
            this.mode === 'bff'
              ? `Signing in takes you to the authorization server. After you log in there, it sends you back to the BFF,
          which keeps the tokens and gives this browser only an HttpOnly session cookie.`
              : `Signing in takes you to the authorization server. After you log in there, it sends you back to this page,
          which redeems the code itself and keeps the tokens in localStorage (the anti-pattern).`
          }
        </p>
        ${this.error ? html`<p class="error" role="alert" data-testid="error"><code>${this.error.code}</code>: ${this.error.message}</p>` : nothing}
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

  private async signIn(): Promise<void> {
    try {
      // Come back to this very page after the login.
      await (await getAppClient()).startLogin(location.pathname + location.search);
    } catch (error) {
      this.error = error instanceof BffError ? error : new BffError(0, 'client_error', String(error));
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sign-in-card': SignInCard;
  }
}
