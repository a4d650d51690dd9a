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
 * The answers `fetchOverRequest` got, by the `Response` it handed to openid-client: the proxy
 * forwards the answer as it came, instead of reading it back out of the `Response` (its body
 * stream and its headers, copied a second time on every call).
 */
const answers = new WeakMap<Response, IncomingAnswer>();

/**
 * An API call with a DPoP-bound access token (RFC 9449 §7.1): openid-client writes the
 * `Authorization: DPoP` header and signs the proof; the call itself goes over the proxy's traced,
 * pooled back channel (`send`), like a Bearer call.
 */
export async function callApiWithDpop(oidc: OidcClient, accessToken: string, url: URL, call: ApiCall): Promise<IncomingAnswer> {
  const response = await oidc.callResourceWithDpop(accessToken, url, call.method, new Headers(call.headers), call.body);
  return answers.get(response) ?? readAnswer(response);
}

/**
 * A `fetch` over a `PooledRequest`, for openid-client's `customFetch`: what it sends, `send` sends,
 * bounded by `send`'s own timeout (`init.signal` is not used: give openid-client no timeout of its own).
 */
export function fetchOverRequest(send: PooledRequest, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = input instanceof URL ? input : new URL(input instanceof Request ? input.url : input);
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const answer = await send(url, { method: init?.method ?? 'GET', headers: headerRecord(init?.headers), body, timeoutMs });
    const nullBody = [101, 204, 205, 304].includes(answer.status);
    const response = new Response(nullBody ? null : answer.body, { status: answer.status, headers: answer.headers });
    answers.set(response, answer);
    return response;
  };
}

/** openid-client passes its headers as a plain record already; anything else is read the standard way. */
function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  return headers as Record<string, string>;
}

async function readAnswer(response: Response): Promise<IncomingAnswer> {
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}
