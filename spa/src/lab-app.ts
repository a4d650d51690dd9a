import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getAppClient } from './app-client.ts';
import { BffError, type BffUser } from './bff-client.ts';
import type { LabMode } from './lab-state.ts';
import { sharedStyles } from './shared-styles.ts';
import './browser-storage-panel.ts';
import './notes-panel.ts';
import './sign-in-card.ts';
import './xray-panel.ts';

/** What the app shows: it asks the BFF first, then knows. */
type View =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signed-out'; readonly notice?: string }
  | { readonly kind: 'signed-in'; readonly user: BffUser }
  | { readonly kind: 'error'; readonly title: string; readonly error: BffError };

/**
 * The root of the Client's front end. It holds no token: it asks the BFF who is signed in
 * (`GET /bff/user`, answered from the session cookie), and shows the signed-in or signed-out view.
 */
@customElement('lab-app')
export class LabApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      header {
        background: var(--header);
        color: #fff;
        padding: 1rem 2rem;
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 2rem;
      }

      h1 {
        margin: 0;
        font-size: 1.6rem;
      }

      .role {
        margin: 0.2rem 0 0;
        color: #dbe4ef;
      }

      .role code {
        color: #fff;
      }

      .who {
        display: flex;
        align-items: center;
        gap: 1rem;
        white-space: nowrap;
      }

      .who strong {
        color: #fff;
      }

      header button.secondary {
        color: #fff;
        border-color: #fff;
      }

      header button.secondary:hover {
        background: rgba(255, 255, 255, 0.15);
      }

      main {
        /* The right margin leaves room for the X-ray's tab on the right edge. */
        padding: 1.5rem 3rem 1.5rem 2rem;
        display: grid;
        grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr);
        gap: 1.5rem;
        align-items: start;
      }

      @media (max-width: 900px) {
        main {
          grid-template-columns: minmax(0, 1fr);
        }
      }

      .status {
        color: var(--muted);
      }
    `,
  ];

  @state() private view: View = { kind: 'loading' };
  @state() private signingOut = false;
  @state() private mode: LabMode = 'bff';

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('session-ended', this.onSessionEnded);
    void this.loadUser();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('session-ended', this.onSessionEnded);
  }

  override render() {
    return html`
      <header>
        <div>
          <h1>OAuth BFF lab</h1>
          <p class="role">
            You are in the Client's front end (SPA) at <code>${location.origin}</code>.
            ${this.mode === 'bff' ? 'It holds no token: the BFF keeps them.' : 'Anti-pattern mode: it is a public client and keeps the tokens itself.'}
          </p>
        </div>
        ${this.view.kind === 'signed-in' ? this.renderWho(this.view.user) : nothing}
      </header>
      <main>
        <div>${this.renderMain()}</div>
        <browser-storage-panel></browser-storage-panel>
      </main>
      <xray-panel></xray-panel>
    `;
  }

  private renderWho(user: BffUser) {
    return html`
      <div class="who">
        <span>
          Signed in as <strong>${user.name ?? user.sub}</strong>
          (<span data-testid="user-name">${user.preferred_username ?? user.sub}</span>)
        </span>
        <button class="secondary" data-testid="logout-button" ?disabled=${this.signingOut} @click=${this.signOut}>Sign out</button>
      </div>
    `;
  }

  private renderMain() {
    switch (this.view.kind) {
      case 'loading':
        return html`<p class="status">Asking the BFF who is signed in…</p>`;
      case 'signed-out':
        return html`<sign-in-card .notice=${this.view.notice ?? ''}></sign-in-card>`;
      case 'signed-in':
        return html`<notes-panel></notes-panel>`;
      case 'error':
        return html`
          <section class="card">
            <h2>${this.view.title}</h2>
            <p class="error" role="alert" data-testid="error"><code>${this.view.error.code}</code>: ${this.view.error.message}</p>
            <button @click=${this.loadUser}>Try again</button>
          </section>
        `;
    }
  }

  private async loadUser(): Promise<void> {
    this.view = { kind: 'loading' };
    try {
      const client = await getAppClient();
      this.mode = client.mode;
      const user = await client.fetchUser();
      this.view = user ? { kind: 'signed-in', user } : { kind: 'signed-out' };
    } catch (error) {
      this.view = {
        kind: 'error',
        title: this.mode === 'bff' ? 'The BFF could not say who is signed in' : 'The sign-in could not be completed',
        error: toBffError(error),
      };
    }
  }

  private async signOut(): Promise<void> {
    this.signingOut = true;
    try {
      const { logoutUrl } = await (await getAppClient()).logout();
      // RP-initiated logout: the authorization server ends its session too, then sends the browser back.
      if (logoutUrl) location.assign(logoutUrl);
      else this.view = { kind: 'signed-out', notice: 'You are signed out.' };
    } catch (error) {
      this.view = { kind: 'error', title: 'Signing out failed', error: toBffError(error) };
    } finally {
      this.signingOut = false;
    }
  }

  private onSessionEnded = (): void => {
    this.view = { kind: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' };
  };
}

function toBffError(error: unknown): BffError {
  return error instanceof BffError ? error : new BffError(0, 'client_error', String(error));
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-app': LabApp;
  }
}
