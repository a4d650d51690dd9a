import type { IncomingAnswer, PooledRequest } from '@lab/kit';
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
export function callApiWithDpop(oidc: OidcClient, accessToken: string, url: URL, call: ApiCall): Promise<IncomingAnswer> {
  return oidc.callResourceWithDpop(accessToken, url, call.method, new Headers(call.headers), call.body).then(readAnswer);
}

/** A `fetch` over a `PooledRequest`, for openid-client's `customFetch`: what it sends, `send` sends. */
export function fetchOverRequest(send: PooledRequest, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const answer = await send(url, { method: init?.method ?? 'GET', headers: Object.fromEntries(new Headers(init?.headers)), body, timeoutMs });
    const nullBody = [101, 204, 205, 304].includes(answer.status);
    return new Response(nullBody ? null : new Uint8Array(answer.body), { status: answer.status, headers: answer.headers });
  };
}

async function readAnswer(response: Response): Promise<IncomingAnswer> {
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}
