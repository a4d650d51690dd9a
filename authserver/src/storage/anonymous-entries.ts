import { errors, type AdapterPayload } from 'oidc-provider';

/**
 * What a caller without credentials can make the authorization server keep. Checked with the
 * real provider (test/storage/anonymous-entries.test.ts):
 * - an `Interaction`: every `GET /auth` that needs the user (RFC 6749 §4.1.1), one per request;
 * - a `Session` without a user: `GET /session/end` keeps its sign-out form's secret in one, for
 *   the session's whole lifetime (8 h);
 * - a `PushedAuthorizationRequest` (RFC 9126 §2): `POST /request` as a public client, no secret;
 * - a `ReplayDetection` record: the `jti` of each DPoP proof (RFC 9449 §11.1) sent with one, unless
 *   its client is a confidential one (`confidentialClients`: the BFF), which authenticated to send it:
 *   the BFF's own proofs (every sign-in and refresh, kept 5 minutes each) must never meet the cap.
 *
 * Each kind has its own cap, so a flood of one (say, sign-out pages) cannot block another (new
 * sign-ins). What the server keeps once a user has signed in (their Session, Grant, codes and
 * tokens, the consent step's Interaction) is never counted nor refused: it lives until its own
 * expiry, whatever anonymous callers do.
 */
export function isAnonymousEntry(model: string, payload: AdapterPayload, confidentialClients: ReadonlySet<string> = new Set()): boolean {
  switch (model) {
    case 'Interaction':
      return typeof payload.session?.accountId !== 'string';
    case 'Session':
      return typeof payload.accountId !== 'string';
    case 'PushedAuthorizationRequest':
      return true;
    case 'ReplayDetection':
      // oidc-provider names the client of the proof in `iss`.
      return !(typeof payload.iss === 'string' && confidentialClients.has(payload.iss));
    default:
      return false;
  }
}

/** How the refusal names each kind, for the person (or the client) who meets it. */
const WHAT_IS_PENDING: Readonly<Record<string, string>> = {
  Interaction: 'sign-ins are in progress',
  Session: 'sign-out pages are open for visitors who are not signed in',
  PushedAuthorizationRequest: 'pushed authorization requests are waiting',
  ReplayDetection: 'DPoP proofs from callers who are not signed in are being remembered',
};

/**
 * Thrown by the storage when one kind of anonymous entry is at its cap; oidc-provider turns it
 * into its own error answer, with this status and code.
 *
 * - `429`: the callers' own volume caused it (RFC 6585 §4), not a fault of this server, and it
 *   passes once some entries expire: `Retry-After` (RFC 9110 §10.2.3) says when the oldest does.
 * - `temporarily_unavailable`: OAuth's own code for "temporarily overloaded" (RFC 6749
 *   §4.1.2.1; RFC 9126 §2.3 allows it at the PAR endpoint), so any client knows it means "later".
 * - `allow_redirect = false`: at `/auth` the person who meets this is in a browser, so they get
 *   the authorization server's page (views/provider-pages.ts) saying how long to wait, rather
 *   than a redirect back to the client with the error: a redirect cannot carry `Retry-After`,
 *   and it would land them on the client's error path for what is only a wait.
 */
export class AnonymousEntriesFull extends errors.OIDCProviderError {
  override allow_redirect = false;
  /** Whole seconds until the oldest entry of this kind expires, at least 1. */
  readonly retryAfterSeconds: number;
  readonly model: string;

  constructor(model: string, max: number, retryAfterSeconds: number) {
    super(429, 'temporarily_unavailable');
    this.model = model;
    this.retryAfterSeconds = retryAfterSeconds;
    this.error_description = `Too many ${WHAT_IS_PENDING[model] ?? `${model} entries are pending`} at the Authorization Server (its limit is ${max}): try again in ${retryAfterSeconds} seconds.`;
  }
}
