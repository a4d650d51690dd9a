import type { IncomingAnswer, PooledRequest } from '@lab/kit';

/**
 * The answers `fetchOverRequest` got, by the `Response` it handed to its caller: the API proxy
 * forwards an answer as it came, instead of reading it back out of the `Response` (its body
 * stream and its headers, copied a second time on every call).
 */
const answers = new WeakMap<Response, IncomingAnswer>();

/**
 * A `fetch` over the BFF's one back channel (`PooledRequest`: Node's HTTP client on keep-alive
 * connections), for openid-client's and jose's `customFetch`: every call the BFF makes, to the
 * authorization server and to the API, goes the same way. What the caller sends is sent as it
 * is, redirects included (never followed), bounded by `timeoutMs` of silence from the callee:
 * `init.signal` is not used. It fails as `fetch` does, which is what openid-client and jose tell
 * apart: a `TimeoutError` when the callee was silent that long, else `TypeError: fetch failed`
 * with the reason as its `cause`.
 */
export function fetchOverRequest(send: PooledRequest, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = input instanceof URL ? input : new URL(input instanceof Request ? input.url : input);
    let headers = headerRecord(init?.headers);
    const given = init?.body;
    let body: string | undefined;
    if (typeof given === 'string') body = given;
    else if (given instanceof URLSearchParams) {
      body = given.toString();
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
        headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' };
    } else if (given !== undefined && given !== null) throw new TypeError('the back channel sends string and form bodies only');
    let answer: IncomingAnswer;
    try {
      answer = await send(url, { method: init?.method ?? 'GET', headers, body, timeoutMs });
    } catch (error) {
      throw asFetchError(error);
    }
    const nullBody = [101, 204, 205, 304].includes(answer.status);
    const response = new Response(nullBody ? null : answer.body, { status: answer.status, headers: answer.headers });
    answers.set(response, answer);
    return response;
  };
}

/** The answer behind a `Response` of `fetchOverRequest`, as it came; read out of the `Response` for any other. */
export async function answerOf(response: Response): Promise<IncomingAnswer> {
  return answers.get(response) ?? { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

/** openid-client passes its headers as a plain record already, used as it is; anything else is read the standard way. */
function headerRecord(headers: RequestInit['headers']): Readonly<Record<string, string>> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  return headers as Record<string, string>;
}

/** A failed call as `fetch` reports it. */
function asFetchError(error: unknown): Error {
  if (error instanceof Error && error.name === 'TimeoutError') return new DOMException(error.message, { name: 'TimeoutError', cause: error });
  return new TypeError('fetch failed', { cause: error });
}
