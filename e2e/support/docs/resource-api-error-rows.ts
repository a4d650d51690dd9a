import { expect } from 'vitest';
import { signInOverHttp } from '../http-sign-in.ts';
import { publicClientAccessToken } from './public-client-access-token.ts';
import { call, tokensHeldFor, type Answer, type LabAccess } from './lab-client.ts';
import type { RowCheck } from './row-checks.ts';

/**
 * The resource API's error table (docs/architecture.md, "### resource-api"), row by row, by the
 * text of its `code` cell, against the API's own origin. A real access token comes from the BFF's
 * lab-only breach route after a real sign-in; it is sent, never printed.
 */

const notesUrl = (lab: LabAccess) => `${lab.topology['resource-api'].url}/notes`;

/** A valid access token of alice's, with both notes scopes: what the BFF holds after her sign-in. */
async function aliceTokens(lab: LabAccess): Promise<{ accessToken: string; idToken: string }> {
  await signInOverHttp(lab.topology, 'alice');
  return tokensHeldFor(lab, 'alice');
}

function postNote(lab: LabAccess, what: string, accessToken: string, type: string, body: string): Promise<Answer> {
  return call(what, notesUrl(lab), { method: 'POST', headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': type }, body });
}

/** The JWT with the last character of its signature changed: a signature the key does not verify. */
function withBrokenSignature(jwt: string): string {
  const last = jwt.at(-1) === 'A' ? 'B' : 'A';
  return `${jwt.slice(0, -2)}${last}${last}`;
}

export const RESOURCE_API_ERROR_ROWS: Readonly<Record<string, RowCheck>> = {
  '`missing_token`': {
    provoke: (lab) =>
      Promise.all([
        call('GET /notes without Authorization', notesUrl(lab)),
        call('GET /notes with Authorization: Basic', notesUrl(lab), { headers: { Authorization: 'Basic YWxpY2U6YWxpY2U=' } }),
        // "The token is checked before the body is read": whatever an anonymous caller sends.
        call('POST /notes without Authorization, as text/plain', notesUrl(lab), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }),
      ]),
  },
  '`invalid_request`': {
    provoke: (lab) =>
      Promise.all([
        call('GET /notes with Authorization: Bearer and two tokens', notesUrl(lab), { headers: { Authorization: 'Bearer abc def' } }),
        call('GET /notes?access_token=…', `${notesUrl(lab)}?access_token=eyJhbGciOiJub25lIn0.e30.`),
      ]),
  },
  '`invalid_dpop_proof`': {
    provoke: async (lab) => {
      const { accessToken } = await aliceTokens(lab);
      return [
        await call("GET /notes with alice's bound token as DPoP, without a proof", notesUrl(lab), { headers: { Authorization: `DPoP ${accessToken}` } }),
        await call("GET /notes with alice's bound token as DPoP and a proof that is no JWT", notesUrl(lab), {
          headers: { Authorization: `DPoP ${accessToken}`, DPoP: 'not-a-proof' },
        }),
      ];
    },
  },
  '`invalid_token`': {
    provoke: async (lab) => {
      const { accessToken, idToken } = await aliceTokens(lab);
      const answers = [
        await call('GET /notes with a token that is not a JWT', notesUrl(lab), { headers: { Authorization: 'Bearer not-a-jwt' } }),
        await call('GET /notes with a bad signature', notesUrl(lab), { headers: { Authorization: `Bearer ${withBrokenSignature(accessToken)}` } }),
        await call('GET /notes with an ID token', notesUrl(lab), { headers: { Authorization: `Bearer ${idToken}` } }),
        // RFC 9449 §7.2: a DPoP-bound token presented as Bearer.
        await call("GET /notes with alice's bound token as Bearer", notesUrl(lab), { headers: { Authorization: `Bearer ${accessToken}` } }),
      ];
      // "the description says which": here, the ID token's type.
      expect(answers[2]!.json?.message, 'the description names the failed check').toMatch(/at\+jwt/);
      return answers;
    },
  },
  '`insufficient_scope`': {
    provoke: async (lab) => {
      const readOnly = await publicClientAccessToken(lab, 'bob', 'notes:read');
      const answer = await postNote(lab, 'POST /notes with a token for notes:read only', readOnly, 'application/json', '{"text":"x"}');
      // "the challenge names the scope" (RFC 6750 §3.1)
      expect(answer.headers.get('www-authenticate'), 'the challenge').toMatch(
        /^Bearer realm="resource-api", error="insufficient_scope", .*scope="notes:write"$/,
      );
      return [answer];
    },
  },
  '`authserver_unavailable`': {
    // The authorization server would have to be down while the API has no keys yet.
    coveredBy: [{ file: 'resource-api/test/verify-access-token.test.ts', test: 'answers 503 authserver_unavailable, not 401' }],
  },
  '`invalid_note`': {
    provoke: async (lab) => {
      // A token of the public client: not bound to a key, so it goes as Bearer (the BFF's are DPoP-bound).
      const accessToken = await publicClientAccessToken(lab, 'alice', 'notes:read notes:write');
      return [
        await postNote(lab, 'POST /notes {}', accessToken, 'application/json', '{}'),
        await postNote(lab, 'POST /notes with an empty text', accessToken, 'application/json', '{"text":"  "}'),
        await postNote(lab, 'POST /notes with 501 characters', accessToken, 'application/json', JSON.stringify({ text: 'x'.repeat(501) })),
      ];
    },
  },
  '`invalid_json`': {
    provoke: async (lab) => [
      await postNote(
        lab,
        'POST /notes with broken JSON',
        await publicClientAccessToken(lab, 'alice', 'notes:read notes:write'),
        'application/json',
        '{"text":',
      ),
    ],
  },
  '`unsupported_media_type`': {
    provoke: async (lab) => [
      await postNote(lab, 'POST /notes as text/plain', await publicClientAccessToken(lab, 'alice', 'notes:read notes:write'), 'text/plain', '{"text":"x"}'),
    ],
  },
};
