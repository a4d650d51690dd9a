import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Party } from '@lab/shared';
import { ARTIFACTS, HOLDERS, type Holding } from '@lab/shared/trace-holdings';
import { sharedStyles } from './shared-styles.ts';

const STATE_TEXT: Readonly<Record<Holding['state'], string>> = { held: '● holds', spent: '◐ spent', gone: '○ gone' };

/**
 * "Who holds what": for each party (the browser, the BFF, the authorization server, the API,
 * the attacker), which of the flow's secrets it has had, as the trace shows it. In the BFF
 * pattern the browser's row has the session cookie and the short-lived code and state; the
 * tokens are in the BFF's row only.
 *
 * @fires exchange-select - a cell was clicked; `detail.id` is the exchange that showed the holding
 */
@customElement('xray-holdings')
export class XrayHoldings extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        overflow: auto;
      }

      table {
        border-collapse: separate;
        border-spacing: 3px;
        width: 100%;
        table-layout: fixed;
      }

      th {
        font-size: 0.85rem;
        text-align: left;
        vertical-align: bottom;
        padding: 0.25rem;
      }

      th.party {
        width: 11rem;
        font-size: 0.95rem;
        vertical-align: middle;
      }

      td {
        border-radius: 6px;
        padding: 0.3rem 0.4rem;
        vertical-align: top;
        font-size: 0.8rem;
        background: #f4f6f9;
        color: #8a93a0;
      }

      td.held {
        background: #ffe9b8;
        color: var(--ink);
        outline: 2px solid #d99a00;
      }

      tr.user-agent td.held[data-artifact$='-token'] {
        background: var(--danger-soft);
        outline-color: var(--danger);
      }

      td.spent,
      td.gone {
        background: #eef0f3;
        color: var(--muted);
      }

      td button {
        all: unset;
        cursor: pointer;
        display: block;
      }

      .mark {
        font-weight: 700;
        font-size: 0.9rem;
        display: block;
      }

      .how {
        display: block;
        line-height: 1.25;
        overflow-wrap: anywhere;
      }

      .legend {
        color: var(--muted);
        font-size: 0.85rem;
        margin: 0.5rem 0.25rem 0;
      }
    `,
  ];

  @property({ attribute: false }) holdings: readonly Holding[] = [];
  /** Show the attacker's row (when the trace has the attacker in it). */
  @property({ type: Boolean }) attacker = false;

  override render() {
    const byCell = new Map(this.holdings.map((holding) => [`${holding.party}|${holding.artifact}`, holding]));
    const holders = HOLDERS.filter((holder) => holder.party !== 'attacker' || this.attacker);
    return html`
      <table data-testid="xray-holdings">
        <thead>
          <tr>
            <th class="party">Party</th>
            ${ARTIFACTS.map((artifact) => html`<th scope="col">${artifact.name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${holders.map(
            (holder) => html`<tr class=${holder.party}>
              <th class="party" scope="row">${holder.name}</th>
              ${ARTIFACTS.map((artifact) => this.renderCell(holder.party, artifact.id, byCell.get(`${holder.party}|${artifact.id}`)))}
            </tr>`,
          )}
        </tbody>
      </table>
      <p class="legend">● holds it now · ◐ had it, spent (a code is single-use) · ○ had it, gone (cookie removed, session ended). Derived from the trace; click a cell to see the exchange.</p>
    `;
  }

  private renderCell(party: Party, artifact: string, holding: Holding | undefined) {
    const state = holding?.state ?? 'none';
    return html`<td class=${state} data-testid="xray-holding" data-party=${party} data-artifact=${artifact} data-state=${state} title=${holding?.how ?? ''}>
      ${
        holding
          ? html`<button @click=${() => holding.eventId && this.select(holding.eventId)}>
            <span class="mark">${STATE_TEXT[holding.state]}</span><span class="how">${holding.how}</span>
          </button>`
          : '—'
      }
    </td>`;
  }

  private select(id: string): void {
    this.dispatchEvent(new CustomEvent('exchange-select', { detail: { id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-holdings': XrayHoldings;
  }
}
