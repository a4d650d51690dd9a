import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

export type XrayClockMovedEvent = CustomEvent<{ offsetSeconds: number }>;

const JUMPS: ReadonlyArray<{ label: string; seconds: number }> = [
  { label: '+1 min', seconds: 60 },
  { label: '+5 min', seconds: 300 },
  { label: '+1 h', seconds: 3600 },
  { label: '+8 h', seconds: 8 * 3600 },
];

/**
 * LAB ONLY: the lab's time in the X-ray. Everyone sees how far the lab's clock is ahead of real
 * time, and whether it is held (a step-by-step scenario run stops it between steps); the instructor's view also moves it ("five minutes later"), every service at once
 * (`PUT /bff/xray/clock`), and the audience watches the next API call refresh.
 * @fires xray-clock-moved - the lab's time moved; `detail.offsetSeconds` is the new offset
 */
@customElement('xray-clock')
export class XrayClock extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
      font-size: 0.85rem;
    }
    .offset {
      white-space: nowrap;
    }
    .held {
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      background: #dde7ff;
      font-weight: 700;
    }
    .offset.moved {
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      background: #ffe8cc;
      font-weight: 700;
    }
    button {
      font: inherit;
      padding: 0.1rem 0.45rem;
      border-radius: 6px;
    }
    .error {
      color: #b00020;
    }
  `;

  /** Seconds the lab's time is ahead of real time (from `GET /bff/xray/state`); undefined: no lab clock. */
  @property({ type: Number }) offsetSeconds?: number;
  /** Whether the lab's time stands still: a step-by-step scenario run (`--step`) holds it between steps. */
  @property({ type: Boolean }) held = false;
  /** Whether this browser has the instructor's view (only it may move the time). */
  @property({ type: Boolean }) instructor = false;
  @state() private busy = false;
  @state() private error = '';

  override render() {
    if (this.offsetSeconds === undefined) return nothing;
    const moved = this.offsetSeconds > 0;
    return html`
      <span class="offset ${moved ? 'moved' : ''}" data-testid="xray-clock-offset" title="The lab's clock: every service reads its time from it">
        ${moved ? `Lab time +${describe(this.offsetSeconds)}` : 'Lab time: now'}
      </span>
      ${
        this.held
          ? html`<span class="held" data-testid="xray-clock-held" title="A step-by-step scenario run holds the lab's time between its steps: nothing expires while the instructor talks">held</span>`
          : nothing
      }
      ${
        this.instructor
          ? JUMPS.map(
              (jump) =>
                html`<button data-testid="xray-clock-${jump.seconds}" ?disabled=${this.busy} title="Move every service's time ${jump.label.slice(1)} later" @click=${() => this.advance(jump.seconds)}>${jump.label}</button>`,
            )
          : nothing
      }
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
    `;
  }

  private async advance(seconds: number): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const response = await fetch('/bff/xray/clock', {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'X-CSRF': '1', 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ advanceSeconds: seconds }),
      });
      const body = (await response.json()) as { offsetSeconds?: number; message?: string };
      if (!response.ok || typeof body.offsetSeconds !== 'number') {
        this.error = body.message ?? `The lab's time did not move (${response.status}).`;
        return;
      }
      this.offsetSeconds = body.offsetSeconds;
      this.dispatchEvent(new CustomEvent('xray-clock-moved', { detail: { offsetSeconds: body.offsetSeconds }, bubbles: true, composed: true }));
    } catch {
      this.error = 'The BFF is not reachable.';
    } finally {
      this.busy = false;
    }
  }
}

/** `5 min`, `8 h 5 min`. */
function describe(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return [hours ? `${hours} h` : '', minutes ? `${minutes} min` : '', rest && !hours ? `${rest} s` : ''].filter(Boolean).join(' ') || '0 s';
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-clock': XrayClock;
  }
}
