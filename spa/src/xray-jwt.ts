import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { DecodedJwt } from '@lab/shared';
import { sharedStyles } from './shared-styles.ts';
import { CLAIM_GLOSSARY, TIME_CLAIMS } from '@lab/shared/glossary';
import { describeNumericDate } from './xray-format.ts';

const SIGNATURE_TEXT: Readonly<Record<DecodedJwt['signature'], string>> = {
  verified: '✔ Signature verified with the authorization server’s public key',
  invalid: '✘ Signature INVALID: not signed by the authorization server',
  unchecked: '? Signature not checked (yet)',
};

/** A DPoP proof (RFC 9449 §4.2) is signed by the client's own key, carried in its `jwk` header. */
const PROOF_SIGNATURE_TEXT: Readonly<Record<DecodedJwt['signature'], string>> = {
  verified: '✔ Signature verified with the public key in its own jwk header (the key the token is bound to)',
  invalid: '✘ Signature INVALID: not signed by the key in its jwk header',
  unchecked: '? Signature not checked (yet)',
};

/**
 * One decoded JWT of an exchange: where it was, its header, its claims (times as dates) and
 * whether its signature is the authorization server's. Anyone holding a JWS can read all this:
 * it is signed, not encrypted.
 */
@customElement('xray-jwt')
export class XrayJwt extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        margin: 0.75rem 0;
      }

      .jwt {
        border: 2px solid var(--line);
        border-radius: 8px;
        padding: 0.5rem 0.75rem;
        background: #fbfcfe;
      }

      .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
        align-items: baseline;
      }

      .kind {
        font-weight: 700;
      }

      .where {
        color: var(--muted);
      }

      .signature {
        display: block;
        margin: 0.4rem 0;
        padding: 0.3rem 0.6rem;
        border-radius: 6px;
        font-weight: 700;
      }

      .signature.verified {
        background: var(--safe-soft);
        color: var(--safe);
        border-left: 6px solid var(--safe);
      }

      .signature.invalid {
        background: var(--danger-soft);
        color: var(--danger-ink);
        border-left: 6px solid var(--danger);
      }

      .signature.unchecked {
        background: #f1f3f6;
        color: var(--muted);
        border-left: 6px solid var(--line);
      }

      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.85rem;
      }

      th {
        text-align: left;
        color: var(--muted);
        font-weight: 600;
        padding: 0.35rem 0 0.1rem;
      }

      td {
        border-top: 1px solid #e5e8ee;
        padding: 0.15rem 0.5rem 0.15rem 0;
        vertical-align: top;
        overflow-wrap: anywhere;
      }

      td.name {
        white-space: nowrap;
        font-weight: 600;
        width: 1%;
      }

      .meaning {
        color: var(--muted);
        width: 45%;
      }

      .date {
        color: var(--ink);
      }
    `,
  ];

  @property({ attribute: false }) jwt?: DecodedJwt;

  override render() {
    const jwt = this.jwt;
    if (!jwt) return nothing;
    return html`
      <div class="jwt" data-testid="xray-jwt" data-signature=${jwt.signature}>
        <div class="head">
          <span class="kind">${kindOf(jwt)}</span>
          <span class="where">${jwt.where}</span>
        </div>
        <span class="signature ${jwt.signature}" data-testid="xray-jwt-signature">${(isDpopProof(jwt) ? PROOF_SIGNATURE_TEXT : SIGNATURE_TEXT)[jwt.signature]}</span>
        <table>
          <tr><th colspan="3">Header</th></tr>
          ${Object.entries(jwt.header).map(([name, value]) => html`<tr><td class="name mono">${name}</td><td class="mono" colspan="2">${show(value)}</td></tr>`)}
          <tr><th colspan="3">Payload (claims)</th></tr>
          ${Object.entries(jwt.payload).map(
            ([name, value]) => html`<tr>
              <td class="name mono">${name}</td>
              <td class="mono">${show(value)}</td>
              <td class="meaning">
                ${CLAIM_GLOSSARY[name] ?? ''}${
                  TIME_CLAIMS.has(name) && typeof value === 'number'
                    ? html`: <strong class="date" data-testid="xray-jwt-date">${describeNumericDate(value)}</strong>`
                    : nothing
                }
              </td>
            </tr>`,
          )}
        </table>
      </div>
    `;
  }
}

/** An access token (RFC 9068 `typ: at+jwt`), an ID token (has `nonce` or `auth_time`), or another JWT. */
function kindOf(jwt: DecodedJwt): string {
  if (String(jwt.header.typ ?? '').toLowerCase() === 'at+jwt') return 'Access token (JWT)';
  if (isDpopProof(jwt)) return 'DPoP proof (JWT, RFC 9449)';
  if (String(jwt.header.typ ?? '').toLowerCase() === 'logout+jwt') return 'Logout token (JWT)';
  if ('nonce' in jwt.payload || 'auth_time' in jwt.payload || 'at_hash' in jwt.payload) return 'ID token (JWT)';
  return 'JWT';
}

function isDpopProof(jwt: DecodedJwt): boolean {
  return String(jwt.header.typ ?? '').toLowerCase() === 'dpop+jwt';
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-jwt': XrayJwt;
  }
}
