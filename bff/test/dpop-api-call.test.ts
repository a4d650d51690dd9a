import { describe, expect, it } from 'vitest';
import type { IncomingAnswer, OutgoingCall } from '@lab/kit';
import { callApiWithDpop } from '../src/dpop-api-call.ts';
import { fetchOverRequest } from '../src/back-channel.ts';
import type { OidcClient } from '../src/oidc-client.ts';

// Prerequisites: a back channel that records what it was asked to send and answers with one
// fixed answer, and a stand-in for openid-client that calls the given fetch as it does (its
// headers as a plain record, the URL as a string).
const answer: IncomingAnswer = { status: 201, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"id":"n1"}') };
const sent: Array<{ url: string; call: OutgoingCall }> = [];
const send = async (url: URL, call: OutgoingCall) => {
  sent.push({ url: url.href, call });
  return answer;
};
const apiFetch = fetchOverRequest(send, 5_000);
const oidcCalling = (fetchImpl: typeof fetch) =>
  ({
    callResourceWithDpop: (accessToken: string, url: URL, method: string, headers: Headers, body: string | undefined) =>
      fetchImpl(url.href, { method, headers: { ...Object.fromEntries(headers), authorization: `DPoP ${accessToken}`, dpop: 'proof' }, body }),
  }) as unknown as OidcClient;

describe('a DPoP call to the resource API', () => {
  it('sends what openid-client wrote, over the back channel, with its timeout', async () => {
    sent.length = 0;
    await callApiWithDpop(oidcCalling(apiFetch), 'token-1', new URL('http://127.0.0.1:4001/notes'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
      timeoutMs: 5_000,
    });
    expect(sent).toEqual([
      {
        url: 'http://127.0.0.1:4001/notes',
        call: {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'DPoP token-1', dpop: 'proof' },
          body: '{"text":"hi"}',
          timeoutMs: 5_000,
        },
      },
    ]);
  });

  it('forwards the answer as the back channel got it, not a copy read back out of the Response', async () => {
    const forwarded = await callApiWithDpop(oidcCalling(apiFetch), 'token-1', new URL('http://127.0.0.1:4001/notes'), {
      method: 'GET',
      headers: {},
      body: undefined,
      timeoutMs: 5_000,
    });
    expect(forwarded).toBe(answer);
  });

  it('hands openid-client a Response with the answer’s status, headers and body', async () => {
    const response = await apiFetch('http://127.0.0.1:4001/notes', { method: 'GET', headers: new Headers({ accept: 'application/json' }) });
    expect(sent.at(-1)?.call.headers).toEqual({ accept: 'application/json' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"id":"n1"}');
  });

  it('reads a Response the back channel did not make the standard way', async () => {
    const elsewhere = async () => new Response('{"notes":[]}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    const forwarded = await callApiWithDpop(oidcCalling(elsewhere), 'token-1', new URL('http://127.0.0.1:4001/notes'), {
      method: 'GET',
      headers: {},
      body: undefined,
      timeoutMs: 5_000,
    });
    expect(forwarded).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"notes":[]}') });
  });
});
