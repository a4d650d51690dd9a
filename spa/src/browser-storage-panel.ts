import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.ts';

/** One name=value pair that page scripts can read. */
interface VisibleEntry {
  readonly name: string;
  readonly value: string;
  /** The value is, or contains, a JWT, or the name says it is a token. */
  readonly token: boolean;
}

/** A compact JWS (`eyJ…` header, payload, signature; the signature may be empty for `alg: none`). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;

/** Names that say "token" (`lab.refresh_token`): a refresh token is opaque, no JWT, and the most valuable of all. */
const TOKEN_NAME_PATTERN = /(^|[._-])(access|refresh|id)_?token$/i;

/** Long values are cut on screen (a JWT is hundreds of characters); the length says how long. */
const SHOWN_CHARACTERS = 60;

const REFRESH_EVERY_MS = 2000;

/**
 * "What this browser can see": everything a script running in this page can read, and so
 * everything an XSS could steal: `document.cookie`, `localStorage`, `sessionStorage`.
 * With the BFF pattern there is no token among them. Refreshes every 2 seconds.
 */
@customElement('browser-storage-panel')
export class BrowserStoragePanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        align-items: start;
        gap: 0.6rem 1rem;
        margin: 1rem 0 0;
      }

      dt {
        font-weight: 700;
        padding-top: 0.3rem;
      }

      dd {
        margin: 0;
      }

      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }

      li {
        padding: 0.3rem 0.6rem;
        border-radius: 6px;
        background: #f4f6f9;
        margin-bottom: 0.3rem;
        overflow-wrap: anywhere;
      }

      li.token {
        background: var(--danger-soft);
        outline: 2px solid var(--danger);
      }

      .none {
        color: var(--muted);
        font-style: italic;
        margin: 0;
        padding-top: 0.3rem;
      }

      .flag {
        display: inline-block;
        background: var(--danger);
        color: #fff;
        font-weight: 700;
        font-size: 0.8rem;
        padding: 0.05rem 0.5rem;
        border-radius: 4px;
        margin-bottom: 0.2rem;
        white-space: nowrap;
      }

      .length {
        color: var(--muted);
        white-space: nowrap;
      }

      .verdict {
        margin-top: 1.25rem;
        padding: 0.75rem 1rem;
        border-radius: 6px;
        font-weight: 600;
      }

      .verdict.safe {
        border-left: 6px solid var(--safe);
        background: var(--safe-soft);
        color: var(--safe);
      }

      .verdict.exposed {
        border-left: 6px solid var(--danger);
        background: var(--danger-soft);
        color: var(--danger-ink);
      }

      .footer {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
        margin-top: 0.75rem;
        color: var(--muted);
        font-size: 0.8rem;
      }

      button {
        padding: 0.25rem 0.9rem;
        font-size: 0.9rem;
      }
    `,
  ];

  @state() private cookies: VisibleEntry[] = [];
  @state() private local: VisibleEntry[] = [];
  @state() private session: VisibleEntry[] = [];
  @state() private checkedAt?: Date;

  #timer?: ReturnType<typeof setInterval>;

  override connectedCallback(): void {
    super.connectedCallback();
    this.refresh();
    this.#timer = setInterval(() => this.refresh(), REFRESH_EVERY_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  /** Reads cookies and storage again, now. */
  refresh(): void {
    this.cookies = readCookies();
    this.local = readStorage(() => localStorage);
    this.session = readStorage(() => sessionStorage);
    this.checkedAt = new Date();
  }

  override render() {
    return html`
      <section class="card">
        <h2>What this browser can see</h2>
        <p class="lead">Everything page scripts can read, and so everything an XSS could steal.</p>
        <dl>
          <dt><code>document.cookie</code></dt>
          <dd data-testid="storage-cookies">${renderEntries(this.cookies)}</dd>
          <dt><code>localStorage</code></dt>
          <dd data-testid="storage-local">${renderEntries(this.local)}</dd>
          <dt><code>sessionStorage</code></dt>
          <dd data-testid="storage-session">${renderEntries(this.session)}</dd>
        </dl>
        ${this.renderVerdict()}
        <div class="footer">
          <span>${this.checkedAt ? `Checked at ${this.checkedAt.toLocaleTimeString()}, again every 2 s.` : nothing}</span>
          <button class="secondary" data-testid="storage-refresh" @click=${this.refresh}>Refresh now</button>
        </div>
      </section>
    `;
  }

  private renderVerdict() {
    const tokens = [...this.cookies, ...this.local, ...this.session].filter((entry) => entry.token).length;
    if (tokens > 0) {
      return html`<p class="verdict exposed" role="alert" data-testid="token-verdict">
        TOKEN VISIBLE TO SCRIPTS: ${tokens === 1 ? 'one value' : `${tokens} values`} above ${tokens === 1 ? 'is a token' : 'are tokens'} (a JWT, or named as a token).
        Any script on this page, an injected one included, can read ${tokens === 1 ? 'it' : 'them'} and send ${tokens === 1 ? 'it' : 'them'} away.
      </p>`;
    }
    if (this.cookies.length > 0) {
      return html`<p class="verdict exposed" data-testid="token-verdict">
        No token here, but page scripts can read the cookies above. If one of them is the session cookie, it is not HttpOnly:
        an XSS can read it and use the session from elsewhere.
      </p>`;
    }
    return html`<p class="verdict safe" data-testid="token-verdict">
      No token here. The session cookie is HttpOnly: the browser sends it to the BFF, but page scripts cannot read it.
    </p>`;
  }
}

function renderEntries(entries: readonly VisibleEntry[]) {
  if (entries.length === 0) return html`<p class="none">(empty)</p>`;
  return html`<ul>
    ${entries.map(
      (entry) => html`<li class=${entry.token ? 'token' : ''} data-testid="storage-entry">
        ${entry.token ? html`<span class="flag" data-testid="token-flag">TOKEN VISIBLE TO SCRIPTS</span><br />` : nothing}
        <span class="mono">${entry.name}=${shorten(entry.value)}</span>
        ${entry.value.length > SHOWN_CHARACTERS ? html`<span class="length">(${entry.value.length} chars)</span>` : nothing}
      </li>`,
    )}
  </ul>`;
}

function readCookies(): VisibleEntry[] {
  if (document.cookie === '') return [];
  return document.cookie.split('; ').map((pair) => {
    const separator = pair.indexOf('=');
    const name = separator === -1 ? '' : pair.slice(0, separator);
    const value = separator === -1 ? pair : pair.slice(separator + 1);
    return toEntry(name, value);
  });
}

function readStorage(getStorage: () => Storage): VisibleEntry[] {
  let storage: Storage;
  try {
    storage = getStorage();
  } catch {
    return []; // storage disabled by the browser's settings
  }
  const entries: VisibleEntry[] = [];
  for (let index = 0; index < storage.length; index++) {
    const name = storage.key(index);
    if (name !== null) entries.push(toEntry(name, storage.getItem(name) ?? ''));
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

function toEntry(name: string, value: string): VisibleEntry {
  return { name, value, token: TOKEN_NAME_PATTERN.test(name) || JWT_PATTERN.test(value) || JWT_PATTERN.test(safeDecode(value)) };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function shorten(value: string): string {
  return value.length > SHOWN_CHARACTERS ? `${value.slice(0, SHOWN_CHARACTERS)}…` : value;
}

declare global {
  interface HTMLElementTagNameMap {
    'browser-storage-panel': BrowserStoragePanel;
  }
}
