import type { IncomingAnswer } from '@lab/kit';
import { answerOf } from './back-channel.ts';
import type { OidcClient } from './oidc-client.ts';

/** One call to the resource API as the proxy makes it: method, headers (no Authorization) and body. */
export interface ApiCall {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly timeoutMs: number;
}

/**
 * An API call with a DPoP-bound access token (RFC 9449 §7.1): openid-client writes the
 * `Authorization: DPoP` header and signs the proof; the call itself goes over the proxy's traced,
 * pooled back channel (`send`), like a Bearer call.
 */
export async function callApiWithDpop(oidc: OidcClient, accessToken: string, url: URL, call: ApiCall): Promise<IncomingAnswer> {
  const response = await oidc.callResourceWithDpop(accessToken, url, call.method, new Headers(call.headers), call.body);
  return answerOf(response);
}
