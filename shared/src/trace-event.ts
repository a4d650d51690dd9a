import type { ServiceName } from './topology.ts';

/**
 * The lab's trace event, as every service records it and the X-ray and the scenarios read it
 * (browser-safe: types and constants only). The lab's trace: every HTTP exchange a service serves or makes, in one shape, so that the
 * scenarios can narrate what the browser cannot see and the X-ray can draw it live.
 * Secrets are shortened when the event is recorded, unless the instructor's full view is on.
 */
export type Party = 'user-agent' | 'spa' | 'bff' | 'authserver' | 'resource-api' | 'attacker';

export interface TraceEvent {
  /** Unique id of the event. */
  readonly id: string;
  /** Position in the recording service's buffer (ascending). */
  readonly seq: number;
  /** ISO time the request arrived or left. */
  readonly time: string;
  /** The service that recorded the event. */
  readonly service: ServiceName;
  /** Which process of the service, when several serve it (`bff#2` with LAB_BFF_INSTANCES). */
  readonly instance?: string;
  /** `inbound`: a request the service served; `outbound`: one it made. */
  readonly direction: 'inbound' | 'outbound';
  /** `front`: through the browser; `back`: server to server, never seen by the browser. */
  readonly channel: 'front' | 'back';
  readonly from: Party;
  readonly to: Party;
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly requestBody?: string;
  readonly responseBody?: string;
  /** Ties together the events caused by one user action (an inbound request and its back-channel calls). */
  readonly correlationId: string;
  /** Network failure of an outbound call (no response). */
  readonly error?: string;
  /** True when secrets were recorded in full (instructor's full view): a real system never shows this. */
  readonly fullView: boolean;
  /**
   * The JWTs of the exchange, decoded from the raw values when the event was recorded (header and
   * claims only, never the token). Their `signature` changes from `unchecked` once the service's
   * verifier has checked them.
   */
  readonly jwts?: readonly DecodedJwt[];
  /**
   * LAB ONLY: opaque keys (hashes) of the random values this exchange shares with the rest of its
   * flow (`state`, code, interaction id, session cookies, tokens), found in the raw exchange when
   * it is recorded. The X-ray groups exchanges that share one, to show a learner their own
   * session's flow and nothing of another's (see `trace-links.ts`).
   */
  readonly links?: readonly string[];
  /**
   * The cookies the request sent (`Cookie`) and those the response set (one per `Set-Cookie`
   * header), parsed once when the event is shown; values shortened unless the full view is on.
   */
  readonly cookies?: { readonly sent: readonly CookieView[]; readonly set: readonly CookieView[] };
  /** The parameters of the URL and of the `Location` it answered with, decoded once; secrets shortened unless the full view is on. */
  readonly params?: { readonly url: readonly ParamView[]; readonly location: readonly ParamView[] };
}

/** One cookie of an exchange. */
export interface CookieView {
  readonly name: string;
  readonly value: string;
  /** `Set-Cookie` attributes as sent (`Path=/`, `HttpOnly`, `SameSite=Lax`); none for a cookie sent. */
  readonly attributes: readonly string[];
  /** A `Set-Cookie` that deletes the cookie (an expiry in the past, `Max-Age=0`). */
  readonly removed: boolean;
}

/** One parameter of a URL's query or fragment. */
export interface ParamView {
  readonly name: string;
  readonly value: string;
  readonly where: 'query' | 'fragment';
}

/** An exchange as a service records it, before anything is shortened. */
export type RawExchange = Omit<TraceEvent, 'id' | 'seq' | 'service' | 'instance' | 'fullView' | 'jwts' | 'links' | 'cookies' | 'params'> & {
  /** Each `Set-Cookie` header of the response as it came, one per cookie (`responseHeaders` joins them). */
  readonly setCookies?: readonly string[];
};

/** Headers the lab's own services add to back-channel calls so the receiver can trace who called. */
export const TRACE_HEADERS = { correlation: 'x-correlation-id', caller: 'x-lab-caller' } as const;

/** `X-Lab-Caller` of the X-ray's own key fetches (`GET /jwks`), which the trace leaves out: they are part of no flow. */
export const XRAY_CALLER = 'x-ray';

/** `verified`: signed by the issuer's key (and `iss` is the issuer); `invalid`: not; `unchecked`: not checked (yet). */
export type JwtSignatureCheck = 'verified' | 'invalid' | 'unchecked';

export interface DecodedJwt {
  /** Where in the exchange the token was: `response body: access_token`, `request header: authorization`... */
  readonly where: string;
  /** The JOSE header (`alg`, `kid`, `typ`). @see https://www.rfc-editor.org/rfc/rfc7515#section-4 */
  readonly header: Readonly<Record<string, unknown>>;
  /** The claims (`iss`, `sub`, `aud`, `exp`...). Readable by anyone who holds the token: a JWS is signed, not encrypted. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Updated once the recording service's verifier has checked it. */
  signature: JwtSignatureCheck;
}
