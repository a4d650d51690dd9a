import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { loadLabState, type LabState } from './lab-state.ts';

/**
 * The weakened-lab banner, at the very top of every page of the app: large, red, impossible to
 * miss. It shows when a defence is switched off, when the app runs in the anti-pattern mode, or
 * when the lab's XSS hook injects an attacker's script, so that nobody mistakes a weakened lab for
 * the secure one. It reads `/lab/state.json` once, when the page loads; nothing shows for the secure lab.
 */
@customElement('lab-banner')
export class LabBanner extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }

    .banner {
      background: var(--danger, #b3001b);
      color: #fff;
      padding: 1rem 2rem;
      border-bottom: 6px solid #5c000e;
      font-size: 1.15rem;
      line-height: 1.4;
    }

    section + section {
      margin-top: 0.75rem;
      padding-top: 0.75rem;
      border-top: 2px solid rgba(255, 255, 255, 0.35);
    }

    h2 {
      margin: 0;
      font-size: 1.6rem;
      letter-spacing: 0.02em;
    }

    p {
      margin: 0.5rem 0 0;
      font-weight: 700;
    }

    ul {
      margin: 0.3rem 0 0;
      padding-left: 1.5rem;
    }

    code {
      font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
      font-weight: 700;
      background: rgba(0, 0, 0, 0.25);
      padding: 0 0.3rem;
      border-radius: 4px;
    }
  `;

  @state() private lab?: LabState;
  @state() private failed = false;

  override connectedCallback(): void {
    super.connectedCallback();
    loadLabState().then(
      (lab) => (this.lab = lab),
      () => (this.failed = true),
    );
  }

  override render() {
    if (this.failed) {
      // Not knowing is not the same as secure: say so.
      return html`<div class="banner" role="alert" data-testid="weakened-banner">
        <h2>LAB STATE UNKNOWN</h2>
        <p>This page could not read /lab/state.json: some defences may be off.</p>
      </div>`;
    }
    const lab = this.lab;
    if (!lab || (lab.weakened.length === 0 && lab.mode === 'bff' && !lab.xss)) return nothing;
    return html`<div class="banner" role="alert" data-testid="weakened-banner">
      ${
        lab.weakened.length > 0
          ? html`<section>
            <h2>WEAKENED LAB: these defences are off: ${lab.weakened.map((defence) => defence.name).join(', ')}</h2>
            <ul>
              ${lab.weakened.map((defence) => html`<li><code>${defence.name}</code>: ${withCode(defence.what)}</li>`)}
            </ul>
          </section>`
          : nothing
      }
      ${
        lab.mode === 'public-client'
          ? html`<section data-testid="anti-pattern-banner">
            <h2>ANTI-PATTERN MODE: this SPA holds tokens in localStorage</h2>
            <p>It is a public OAuth client: any script on this page can read its access, refresh and ID tokens.</p>
          </section>`
          : nothing
      }
      ${
        lab.xss
          ? html`<section data-testid="xss-banner">
            <h2>XSS HOOK ON: an attacker's script is injected into this page</h2>
            <p>A lab-only stand-in for an XSS bug: the script runs with this page's privileges.</p>
          </section>`
          : nothing
      }
    </div>`;
  }
}

/** The descriptions mark names with backticks (`state`): shown as code. */
function withCode(text: string) {
  return text.split('`').map((part, index) => (index % 2 === 1 ? html`<code>${part}</code>` : part));
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-banner': LabBanner;
  }
}
