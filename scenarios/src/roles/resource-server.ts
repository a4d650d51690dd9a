import type { TraceEvent } from '@lab/shared';
import { defineScenario } from '../engine/scenario.ts';
import { findExchange } from '../library/exchanges.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { signInByRequests } from '../library/sign-in.ts';

interface ApiAnswer {
  readonly status: number;
  readonly challenge: string | null;
  readonly body: { error?: string; owner?: string; notes?: Array<{ owner: string; text: string }>; note?: { owner: string; text: string } };
}

/** Swaps a JWT's payload for another, keeping the header and the (now wrong) signature. */
function withClaims(token: string, change: Record<string, unknown>): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const claims = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>), ...change };
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

/**
 * The Resource Server (RFC 6749 §1.1): the notes API. It trusts no caller, only a valid access
 * token: signature, issuer, audience, expiry, type and scope, and then serves the notes of the
 * token's `sub`, whoever asks (RFC 6750, RFC 9068 §4).
 */
export const resourceServerRole = defineScenario({
  id: 'role-resource-server',
  title: "The Resource Server: no valid token, no notes; a valid token, only its owner's notes",
  kind: 'role',
  // Bearer calls with the BFF's token need the binding switched off: with DPoP on, only the BFF,
  // which holds the key, can make the proof (attack-stolen-access-token shows that side).
  weaken: ['dpop'],
  teaches:
    "The notes API answers RFC 6750 challenges: 401 with WWW-Authenticate: Bearer when the token is missing or invalid (a tampered claim breaks the signature), and with a valid token it serves and writes only the notes of the token's sub, whatever the request says.",
  prerequisites: [
    "The lab calls the API directly, server to server, from where the BFF sits (the trace shows these calls as the BFF's); the BFF's own code is not involved.",
    'alice (Resource Owner) signs in once so that a real access token exists; the lab reads it from the BFF through GET /_lab/session-store, a lab-only look inside the BFF.',
    "DPoP is switched off for this run (defence dpop): the token is then a plain bearer token, and the lab's calls show the API's own checks. With DPoP on, the token is bound to the BFF's key and every call needs a proof of it (see attack-stolen-access-token).",
  ],
  async run({ topology, lab, step, newUserAgent, fetchAs }) {
    const notesUrl = `${topology['resource-api'].url}/notes`;
    const callApi = async (init: RequestInit & { url?: string } = {}): Promise<ApiAnswer> => {
      const response = await fetchAs('bff', init.url ?? notesUrl, init);
      return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as ApiAnswer['body'] };
    };

    await step({ actor: 'Resource Server', action: 'is asked for notes without any token', look: 'the 401 and its WWW-Authenticate challenge' }, async (s) => {
      const answer = await callApi();
      s.expect('401 Unauthorized', 401, answer.status);
      s.expect('error missing_token', 'missing_token', answer.body.error);
      s.expect('a bare Bearer challenge, no error code (RFC 6750 §3.1)', 'Bearer realm="resource-api"', answer.challenge);
      s.note(
        '"If the request lacks any authentication information, the resource server SHOULD NOT include an error code" (RFC 6750 §3.1): it just says which scheme it wants.',
      );
      s.sees({ api: 'a request with no credentials' });
    });

    await step({ actor: 'Resource Server', action: 'is sent a token that is not a JWT at all', look: 'error="invalid_token" in the challenge' }, async (s) => {
      const answer = await callApi({ headers: { Authorization: 'Bearer not-a-token' } });
      s.expect('401 Unauthorized', 401, answer.status);
      s.expect('error invalid_token', 'invalid_token', answer.body.error);
      s.check(
        'the challenge names the error',
        'Bearer realm="resource-api", error="invalid_token", error_description="…"',
        answer.challenge,
        answer.challenge?.startsWith('Bearer realm="resource-api", error="invalid_token", error_description="') ?? false,
      );
      s.sees({ api: 'a string it cannot parse as a JWT: refused before any key is fetched' });
    });

    const browser = await newUserAgent();
    const page = await browser.newPage();
    let tokenResponse: TraceEvent | undefined;
    await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app as alice, so that the BFF holds a real access token',
        look: 'the token response on the back channel',
      },
      async (s) => {
        await signInByRequests(page, topology, 'alice');
        tokenResponse = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        s.expect('the BFF got tokens for alice', 200, tokenResponse?.status);
        s.sees({ bff: "alice's access token (the next steps use a copy of it)" });
      },
    );
    const accessToken = (await rawTokensOf(lab, tokenResponse))?.accessToken ?? '';

    await step({ actor: 'Resource Server', action: "is sent alice's access token with GET /notes", look: 'whose notes come back' }, async (s) => {
      s.check("the lab copied alice's access token from the BFF", 'a JWT', accessToken.slice(0, 10), accessToken.startsWith('eyJ'));
      const answer = await callApi({ headers: { Authorization: `Bearer ${accessToken}` } });
      const owners = [...new Set(answer.body.notes?.map((note) => note.owner))];
      s.expect('200 OK', 200, answer.status);
      s.expect("the notes of the token's sub: alice", 'alice', answer.body.owner);
      s.expect("every note returned is alice's", ['alice'], owners);
      const seeded = "Alice's note: dentist on Tuesday";
      s.expect('including her seeded note', seeded, answer.body.notes?.find((note) => note.text === seeded)?.text);
      s.note('Checked before serving: the RS256 signature against the JWKS, iss, aud = this API, exp, typ at+jwt, and the scope notes:read.');
      s.sees({ api: "a valid token for alice, so alice's notes and nobody else's" });
    });

    await step(
      {
        actor: 'Resource Server',
        action: "is asked for bob's notes with alice's token (GET /notes?owner=bob)",
        look: 'the owner comes from the token, never from the request',
      },
      async (s) => {
        const answer = await callApi({ url: `${notesUrl}?owner=bob`, headers: { Authorization: `Bearer ${accessToken}` } });
        s.expect('200 OK', 200, answer.status);
        s.expect("still alice's notes: the parameter is ignored", 'alice', answer.body.owner);
        s.expect(
          "none of bob's",
          [],
          (answer.body.notes ?? []).filter((note) => note.owner !== 'alice').map((note) => note.text),
        );
        s.sees({ api: 'sub=alice in a signed token: the only identity it trusts' });
      },
    );

    await step(
      { actor: 'Resource Server', action: "is sent alice's token with sub changed to bob", look: 'a changed claim breaks the signature: 401 invalid_token' },
      async (s) => {
        const answer = await callApi({ headers: { Authorization: `Bearer ${withClaims(accessToken, { sub: 'bob' })}` } });
        s.expect('401 Unauthorized', 401, answer.status);
        s.expect('error invalid_token', 'invalid_token', answer.body.error);
        s.check(
          'the challenge says the signature does not match',
          'error="invalid_token", error_description="the signature …"',
          answer.challenge,
          /error="invalid_token", error_description="the signature/.test(answer.challenge ?? ''),
        );
        s.note(
          "Claims are readable by anyone (base64url), but only the authorization server's private key can sign them. RFC 9068 §4: validate the signature first.",
        );
        s.sees({ api: 'a token whose claims no longer match its signature' });
      },
    );

    await step(
      { actor: 'Resource Server', action: "is sent alice's token with POST /notes", look: "notes:write lets the token write, in alice's name only" },
      async (s) => {
        const text = 'written through the API by the role-resource-server scenario';
        const answer = await callApi({
          method: 'POST',
          headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ text, owner: 'bob' }),
        });
        s.expect('201 Created', 201, answer.status);
        s.expect(
          "the note is alice's (the owner field in the body is ignored)",
          { owner: 'alice', text },
          { owner: answer.body.note?.owner, text: answer.body.note?.text },
        );
        s.note('POST /notes requires the scope notes:write; alice granted it on the consent page, so her token carries it.');
        s.sees({ api: "a new note, owned by the token's sub" });
      },
    );
  },
});
