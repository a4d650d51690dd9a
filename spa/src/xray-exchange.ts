import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CookieView, ParamView, Party, TraceEvent } from '@lab/shared';
import { LANE_NAMES } from '@lab/shared/trace-view';
import { sharedStyles } from './shared-styles.ts';
import { PARAMETER_GLOSSARY, explainHeader } from '@lab/shared/glossary';
import { bodyOf, withoutQuery } from './xray-format.ts';
import './xray-jwt.ts';

/**
 * One exchange of the trace, opened: the request (method, URL with each parameter explained,
 * the headers that matter, cookies, body) and the response (status, redirect target, cookies
 * set, body), and every JWT in it decoded.
 */
@customElement('xray-exchange')
export class XrayExchange extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        font-size: 0.9rem;
      }

      h3 {
        margin: 0.9rem 0 0.3rem;
        font-size: 1rem;
        border-bottom: 2px solid var(--line);
      }

      .route {
        font-weight: 700;
        font-size: 1rem;
      }

      .channel {
        display: inline-block;
        margin-left: 0.5rem;
        padding: 0 0.5rem;
        border-radius: 4px;
        font-size: 0.8rem;
        font-weight: 700;
        color: #fff;
        background: var(--accent);
      }

      .channel.back {
        background: #6b2fa3;
      }

      .request-line {
        margin: 0.3rem 0;
        overflow-wrap: anywhere;
      }

      .status {
        font-weight: 700;
      }

      .status.status-ok {
        color: var(--safe);
      }

      .status.status-redirect {
        color: var(--accent);
      }

      .status.status-error {
        color: var(--danger);
      }

      table {
        border-collapse: collapse;
        width: 100%;
      }

      td {
        border-top: 1px solid #e5e8ee;
        padding: 0.2rem 0.5rem 0.2rem 0;
        vertical-align: top;
        overflow-wrap: anywhere;
      }

      td.name {
        font-weight: 600;
        white-space: nowrap;
        width: 1%;
      }

      .meaning {
        color: var(--muted);
        font-size: 0.85rem;
      }

      .attribute {
        display: inline-block;
        margin: 0.1rem 0.3rem 0.1rem 0;
        padding: 0 0.4rem;
        border-radius: 4px;
        background: var(--accent-soft);
        font-size: 0.8rem;
      }

      .removed {
        color: var(--danger-ink);
        font-weight: 600;
      }

      pre {
        margin: 0.3rem 0;
        padding: 0.5rem;
        background: #f4f6f9;
        border-radius: 6px;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-height: 16rem;
        overflow: auto;
      }

      .muted {
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) event?: TraceEvent;
  /** The lane the exchange is drawn from (the SPA for the app's own calls). */
  @property() sender?: Party;

  override render() {
    const event = this.event;
    if (!event) return html`<p class="muted">Select an arrow to see its request and response.</p>`;
    const headers = Object.entries(event.requestHeaders).filter(([name]) => name !== 'cookie');
    const responseHeaders = Object.entries(event.responseHeaders).filter(([name]) => name !== 'set-cookie' && name !== 'location');
    const location = event.responseHeaders.location;
    return html`
      <div data-testid="xray-exchange">
        <div class="route">
          ${LANE_NAMES[this.sender ?? event.from]} → ${LANE_NAMES[event.to]}
          <span class="channel ${event.channel}">${event.channel === 'back' ? 'back channel: server to server' : 'front channel: through the browser'}</span>
        </div>
        <p class="request-line mono"><strong>${event.method}</strong> ${withoutQuery(event.url)}</p>
        ${this.renderParams('Query parameters', event.params?.url)}
        ${headers.length > 0 ? html`<h3>Request headers</h3>${headerTable(headers)}` : nothing}
        ${cookieTable('Cookies sent', event.cookies?.sent ?? [])}
        ${event.requestBody ? html`<h3>Request body</h3>${renderBody(event.requestBody)}` : nothing}

        <h3>Response</h3>
        ${
          event.error
            ? html`<p class="status status-error">No answer: ${event.error}</p>`
            : html`<p><span class="status ${statusClass(event.status)}">${event.status}</span> <span class="muted">after ${event.durationMs} ms</span></p>`
        }
        ${location ? html`<p class="request-line mono">Location: ${withoutQuery(location)}</p>${this.renderParams('Redirect parameters', event.params?.location)}` : nothing}
        ${cookieTable('Cookies set', event.cookies?.set ?? [])}
        ${responseHeaders.length > 0 ? headerTable(responseHeaders) : nothing}
        ${event.responseBody ? html`<h3>Response body</h3>${renderBody(event.responseBody)}` : nothing}

        ${
          event.jwts && event.jwts.length > 0
            ? html`<h3>JWTs in this exchange (${event.jwts.length})</h3>${event.jwts.map((jwt) => html`<xray-jwt .jwt=${jwt}></xray-jwt>`)}`
            : nothing
        }
        <p class="muted">Recorded by ${event.service} (${event.direction}) at ${event.time}; user action ${event.correlationId}.</p>
      </div>
    `;
  }

  private renderParams(title: string, params: readonly ParamView[] | undefined) {
    if (!params || params.length === 0) return nothing;
    return html`
      <h3>${title}</h3>
      <table>
        ${params.map(
          ({ name, value, where }) => html`<tr>
            <td class="name mono">${where === 'fragment' ? '#' : ''}${name}</td>
            <td class="mono">${value}</td>
            <td class="meaning">${PARAMETER_GLOSSARY[name] ?? ''}</td>
          </tr>`,
        )}
      </table>
    `;
  }
}

function headerTable(headers: ReadonlyArray<[string, string]>) {
  return html`<table>
    ${headers.map(
      ([name, value]) => html`<tr>
        <td class="name mono">${name}</td>
        <td class="mono">${value}</td>
        <td class="meaning">${explainHeader(name, value)}</td>
      </tr>`,
    )}
  </table>`;
}

function cookieTable(title: string, cookies: readonly CookieView[]) {
  if (cookies.length === 0) return nothing;
  return html`
    <h3>${title}</h3>
    <table data-testid="xray-cookies">
      ${cookies.map(
        (cookie) => html`<tr>
          <td class="name mono">${cookie.name}</td>
          <td>
            ${cookie.removed ? html`<span class="removed">removed</span>` : html`<span class="mono">${cookie.value}</span>`}
            <br />${cookie.attributes.map((attribute) => html`<span class="attribute mono">${attribute}</span>`)}
          </td>
        </tr>`,
      )}
    </table>
  `;
}

function renderBody(body: string) {
  const view = bodyOf(body);
  if (view.kind !== 'fields') return html`<pre class="mono">${view.text}</pre>`;
  return html`<table>
    ${view.fields.map(
      ({ name, value }) => html`<tr>
        <td class="name mono">${name}</td>
        <td class="mono">${value}</td>
        <td class="meaning">${PARAMETER_GLOSSARY[name] ?? ''}</td>
      </tr>`,
    )}
  </table>`;
}

function statusClass(status: number | undefined): string {
  if (status === undefined || status >= 400) return 'status-error';
  return status >= 300 ? 'status-redirect' : 'status-ok';
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-exchange': XrayExchange;
  }
}
