import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Party, TraceEvent } from '@lab/shared';
import { LANE_NAMES, displayPathOf, senderOf, urlPathOf, type ActionGroup } from '@lab/shared/trace-view';
import { sharedStyles } from './shared-styles.ts';
import { clockOf } from './xray-format.ts';

/** Sent when the user selects an arrow. */
export type ExchangeSelectEvent = CustomEvent<{ readonly id: string }>;

/**
 * The swim-lane sequence view: one lane per party, one arrow per exchange from the lane that
 * sent it to the lane that served it, in time order, grouped by user action. Back-channel arrows
 * (server to server, never seen by the browser) are dashed and labelled.
 *
 * @fires exchange-select - an arrow was selected; `detail.id` is the trace event's id
 */
@customElement('xray-sequence')
export class XraySequence extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        overflow: auto;
        position: relative;
        background: #fff;
        --lane-line: #c3cad5;
        --front: #0b57a4;
        --back: #6b2fa3;
      }

      .lanes,
      .row,
      .group {
        display: grid;
        grid-template-columns: 2.2rem minmax(0, 1fr);
      }

      .lanes {
        position: sticky;
        top: 0;
        z-index: 2;
        background: #0f2a47;
        color: #fff;
        font-weight: 700;
        font-size: 0.8rem;
        line-height: 1.15;
      }

      .lane-names {
        position: relative;
        height: 2.7rem;
      }

      .lane-name {
        position: absolute;
        top: 0.3rem;
        transform: translateX(-50%);
        text-align: center;
        width: var(--lane-width);
        padding: 0 0.2rem;
        box-sizing: border-box;
      }

      .group {
        background: #eef3fa;
        border-top: 2px solid #c9d6e8;
        font-weight: 700;
        font-size: 0.85rem;
        padding: 0.2rem 0;
      }

      .group .title {
        grid-column: 1 / -1;
        padding-left: 0.5rem;
      }

      .group time {
        font-weight: 400;
        color: var(--muted);
        margin-left: 0.5rem;
      }

      button.row {
        all: unset;
        display: grid;
        grid-template-columns: 2.2rem minmax(0, 1fr);
        width: 100%;
        cursor: pointer;
        min-height: 2.35rem;
      }

      button.row:hover {
        background: #f3f6fb;
      }

      button.row[aria-pressed='true'] {
        background: #fff4d6;
        outline: 3px solid var(--focus);
        outline-offset: -3px;
      }

      button.row:focus-visible {
        outline: 3px solid var(--focus);
        outline-offset: -3px;
      }

      .number {
        color: var(--muted);
        font-size: 0.75rem;
        text-align: right;
        padding: 0.25rem 0.3rem 0 0;
      }

      .track {
        position: relative;
        height: 2.35rem;
      }

      .lane-line {
        position: absolute;
        top: 0;
        bottom: 0;
        width: 0;
        border-left: 2px solid var(--lane-line);
      }

      .line {
        position: absolute;
        top: 1.7rem;
        height: 0;
        border-top: 3px solid var(--front);
      }

      .line.back {
        border-top: 3px dashed var(--back);
      }

      .line.failed {
        border-top-color: var(--danger);
      }

      .line::after {
        content: '';
        position: absolute;
        top: -8px;
        right: -2px;
        border: 6.5px solid transparent;
        border-left: 11px solid var(--front);
        border-right-width: 0;
      }

      .line.back::after {
        border-left-color: var(--back);
      }

      .line.failed::after {
        border-left-color: var(--danger);
      }

      .line.leftward::after {
        right: auto;
        left: -2px;
        border-left-width: 0;
        border-right: 11px solid var(--front);
      }

      .line.leftward.back::after {
        border-right-color: var(--back);
      }

      .label {
        position: absolute;
        top: 0.1rem;
        white-space: nowrap;
        font-size: 0.85rem;
        padding: 0 0.25rem;
        background: rgba(255, 255, 255, 0.85);
        border-radius: 4px;
        font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
      }

      .label.right {
        transform: translateX(-100%);
      }

      .tag {
        font-family: system-ui, sans-serif;
        font-size: 0.72rem;
        font-weight: 700;
        color: #fff;
        background: var(--back);
        border-radius: 3px;
        padding: 0 0.3rem;
        margin-left: 0.3rem;
      }

      .status {
        font-weight: 700;
        margin-left: 0.4rem;
      }

      .status.status-ok {
        color: var(--safe);
      }

      .status.status-redirect {
        color: var(--front);
      }

      .status.status-error {
        color: var(--danger);
      }

      .jwt-mark {
        font-family: system-ui, sans-serif;
        font-size: 0.72rem;
        font-weight: 700;
        border: 1px solid var(--ink);
        border-radius: 3px;
        padding: 0 0.25rem;
        margin-left: 0.35rem;
      }

      .empty {
        padding: 1rem 1.25rem;
        color: var(--muted);
      }
    `,
  ];

  /** The groups to draw, already filtered, oldest first. */
  @property({ attribute: false }) groups: readonly ActionGroup[] = [];
  @property({ attribute: false }) lanes: readonly Party[] = [];
  /** The app's origin, to tell the SPA's own calls from the browser's navigations. */
  @property() appOrigin = location.origin;
  @property() selectedId?: string;
  /** What to say while there is no exchange to draw. */
  @property() emptyText?: string;

  #stickToBottom = true;

  override render() {
    const width = 100 / Math.max(this.lanes.length, 1);
    let number = 0;
    return html`
      <div class="lanes" style="--lane-width: ${width}%">
        <span></span>
        <div class="lane-names">
          ${this.lanes.map((lane, index) => html`<span class="lane-name" style="left: ${(index + 0.5) * width}%">${LANE_NAMES[lane]}</span>`)}
        </div>
      </div>
      ${
        this.groups.length === 0
          ? html`<p class="empty" data-testid="xray-empty">${this.emptyText ?? 'No exchange yet. Use the app (sign in, load the notes) and watch them arrive here.'}</p>`
          : nothing
      }
      ${this.groups.map(
        (group) => html`
          <div class="group" data-testid="xray-group">
            <span class="title">${group.number}. ${group.label}<time>${group.events[0] ? clockOf(group.events[0].time) : ''}</time></span>
          </div>
          ${group.events.map((event) => this.renderArrow(event, ++number, width))}
        `,
      )}
    `;
  }

  private renderArrow(event: TraceEvent, number: number, width: number) {
    const from = senderOf(event, this.appOrigin);
    const fromIndex = Math.max(this.lanes.indexOf(from), 0);
    const toIndex = Math.max(this.lanes.indexOf(event.to), 0);
    const x1 = (fromIndex + 0.5) * width;
    const x2 = (toIndex + 0.5) * width;
    const left = Math.min(x1, x2);
    const span = Math.max(Math.abs(x2 - x1), 2);
    const path = urlPathOf(event.url);
    const query = /[?#]/.test(event.url) ? '?…' : '';
    const lineClass = ['line', event.channel, x2 < x1 ? 'leftward' : '', event.error ? 'failed' : ''].join(' ');
    const labelAtRight = left > 55;
    return html`
      <button
        class="row"
        data-testid="xray-arrow"
        data-from=${from}
        data-to=${event.to}
        data-channel=${event.channel}
        data-path=${path}
        data-method=${event.method}
        data-status=${event.status ?? ''}
        data-id=${event.id}
        aria-pressed=${this.selectedId === event.id ? 'true' : 'false'}
        title="${LANE_NAMES[from]} → ${LANE_NAMES[event.to]}: ${event.method} ${event.url}"
        @click=${() => this.select(event.id)}
      >
        <span class="number">${number}</span>
        <span class="track">
          ${this.lanes.map((_, index) => html`<span class="lane-line" style="left: ${(index + 0.5) * width}%"></span>`)}
          <span class=${lineClass} style="left: ${left}%; width: ${span}%"></span>
          <span class="label ${labelAtRight ? 'right' : ''}" style="left: ${labelAtRight ? Math.max(x1, x2) : left + 0.6}%">
            ${event.method} ${displayPathOf(event.url)}${query}${event.channel === 'back' ? html`<span class="tag">back channel</span>` : nothing}${
              event.jwts && event.jwts.length > 0 ? html`<span class="jwt-mark">JWT×${event.jwts.length}</span>` : nothing
            }${
              event.error
                ? html`<span class="status status-error">no answer</span>`
                : html`<span class="status ${statusClass(event.status)}">${event.status}</span>`
            }
          </span>
        </span>
      </button>
    `;
  }

  private select(id: string): void {
    this.dispatchEvent(new CustomEvent('exchange-select', { detail: { id }, bubbles: true, composed: true }));
  }

  protected override willUpdate(): void {
    // Follow new arrows only when the view is already at the bottom (not while someone reads above).
    this.#stickToBottom = this.scrollTop + this.clientHeight >= this.scrollHeight - 40;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('groups') && this.#stickToBottom) this.scrollTop = this.scrollHeight;
  }
}

function statusClass(status: number | undefined): string {
  if (status === undefined || status >= 400) return 'status-error';
  return status >= 300 ? 'status-redirect' : 'status-ok';
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-sequence': XraySequence;
  }
  interface HTMLElementEventMap {
    'exchange-select': ExchangeSelectEvent;
  }
}
