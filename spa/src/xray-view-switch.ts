import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { VIEW_LABELS, leaveInstructorView, openInstructorView, type XrayView } from './xray-view.ts';

export type XrayViewChangeEvent = CustomEvent<{ view: XrayView }>;

/**
 * LAB ONLY: says which view the X-ray shows ("Your session only" or "Instructor view: every
 * session") and switches: the instructor types the run's control key once (see `xray-view.ts`).
 * @fires xray-view-change - the view changed; the panel reconnects its stream
 */
@customElement('xray-view-switch')
export class XrayViewSwitch extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      font-size: 0.85rem;
    }

    .view {
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      background: #dbe4ef;
      color: #0f2a47;
      font-weight: 700;
      white-space: nowrap;
    }

    .view.instructor {
      background: #ffd166;
    }

    button,
    input {
      font: inherit;
      padding: 0.15rem 0.55rem;
      border-radius: 6px;
    }

    button {
      background: transparent;
      color: #fff;
      border: 2px solid #8fb3db;
    }

    button:hover {
      background: #fff;
      color: #0f2a47;
    }

    input {
      border: 2px solid #8fb3db;
      width: 11rem;
    }

    .error {
      color: #ffb3b3;
    }
  `;

  /** The view the stream says it shows; undefined until it has said. */
  @property() view?: XrayView;
  @state() private asking = false;
  @state() private error = '';

  override render() {
    const label = this.view ? VIEW_LABELS[this.view] : '';
    const title =
      this.view === 'instructor'
        ? "Every session's exchanges: the run's control key opened this view in this browser, for two hours."
        : "Only this browser's own BFF session's exchanges. Every session's needs the run's control key (the instructor's view).";
    return html`
      <span class="view ${this.view ?? ''}" data-testid="xray-view" data-view=${this.view ?? ''} title=${title}>${label}</span>
      ${
        this.view === 'instructor'
          ? html`<button data-testid="xray-instructor-leave" @click=${this.leave}>Leave</button>`
          : this.asking
            ? html`<form @submit=${this.submit}>
              <input type="password" data-testid="xray-key" aria-label="The run's control key" placeholder="control key" autocomplete="off" required />
              <button data-testid="xray-key-submit">Open</button>
              <button type="button" @click=${() => (this.asking = false)}>Cancel</button>
              ${this.error ? html`<span class="error" role="alert" data-testid="xray-key-error">${this.error}</span>` : nothing}
            </form>`
            : html`<button data-testid="xray-instructor" @click=${() => (this.asking = true)}>Instructor…</button>`
      }
    `;
  }

  private submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="xray-key"]');
    const key = input?.value ?? '';
    // The key is not kept: the field is emptied whatever the answer.
    if (input) input.value = '';
    const result = await openInstructorView(key);
    if (result !== 'opened') {
      this.error = result === 'wrong-key' ? "That is not this run's control key." : 'The BFF has no instructor view in this run.';
      return;
    }
    this.asking = false;
    this.error = '';
    this.changed('instructor');
  };

  private leave = async (): Promise<void> => {
    await leaveInstructorView();
    this.changed('session');
  };

  private changed(view: XrayView): void {
    this.dispatchEvent(new CustomEvent('xray-view-change', { detail: { view }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-view-switch': XrayViewSwitch;
  }
}
