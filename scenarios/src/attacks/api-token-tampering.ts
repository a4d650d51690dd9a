import { randomUUID } from 'node:crypto';
import { defineAttack } from '../engine/define-attack.ts';
import { findExchange } from '../library/exchanges.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { ScriptedUserAgent, readJson } from '../library/scripted-user-agent.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { readJwt, writeJwt } from '../library/attack-tools.ts';
import { laterBy, moveLabTimePast } from '../library/time-travel.ts';
import { labNow, readLifetimes } from '../library/lifetimes.ts';

/** The API's tolerance on `exp` (`API_CLOCK_TOLERANCE`, 1 s by default: the lab's parties share one clock; `exp` is in whole seconds). */
const API_CLOCK_TOLERANCE_MS = 1_000;
/** bob's most private seeded note (resource-api/src/notes-store.ts). */
const BOB_SECRET_NOTE = "Bob's note: the bank PIN hint is my cat's birthday";
/** The algorithms the notes API accepts by default (resource-api/src/config.ts, API_ALGORITHMS). */
const API_ALGORITHMS = 'RS256, PS256, ES256';

/** The RFC 6750 §3 challenge the notes API sends with every `invalid_token`. */
function invalidTokenChallenge(description: string): string {
  return `Bearer realm="resource-api", error="invalid_token", error_description="${description}"`;
}

/**
 * RFC 6750 §3.1 (`invalid_token`) and RFC 8725 (JWT best current practices): a JWT's claims are
 * only as good as its signature. Mallory edits a real access token, writes one from scratch with
 * `alg: none`, and replays an expired one, each straight at the notes API.
 */
export const [apiTokenTampering, apiTokenTamperingWeakened] = defineAttack({
  id: 'attack-api-token-tampering',
  title: 'Token tampering at the API: an edited sub, alg none, an expired token',
  threat: 'RFC 8725 §2.1, §3.1 (weak signatures and algorithm choice), RFC 9068 §4 (validating JWT access tokens), RFC 6750 §3.1 (invalid_token)',
  defence: 'api-signature',
  teaches:
    "The notes API trusts a claim only after checking the signature with the authorization server's public key, with the algorithms it chose itself (RFC 8725 §3.1), never the one the token names: an edited payload breaks the signature, and alg none is not on its list. Each failure is a 401 invalid_token with a WWW-Authenticate challenge saying why (RFC 6750 §3). Without the signature check, anyone can write the sub they like; exp is still checked, which shows how little a claim check is worth without the signature that protects the claims.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app; her browser here is plain HTTP.',
    "Mallory (Attacker) has copied the BFF's session store (the lab-only breach route GET /_lab/session-store stands in for that breach): she holds alice's access token. She calls the notes API directly, without the BFF.",
    `Access tokens live as long as the lab issues them (5 min, the lab's default). The last step replays a genuinely expired one without waiting: the lab's clock moves past its exp, and the ${API_CLOCK_TOLERANCE_MS / 1000} s the API tolerates on exp (which counts whole seconds).`,
  ],
  async run({ topology, lab, step, fetchAs }, { defended }) {
    const lifetime = (await readLifetimes(lab)).accessToken;
    const spa = topology.spa.url;
    const api = topology['resource-api'].url;
    const alice = new ScriptedUserAgent(fetchAs, 'user-agent');

    const tokenResponse = await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app: the BFF gets her tokens',
        look: "the token response on the back channel: the BFF's copy of alice's access token",
      },
      async (s) => {
        const status = await alice.signInToApp(spa, 'alice');
        const token = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        s.expect('the callback signs her in and redirects into the app', 302, status);
        s.expect('the BFF received tokens', 200, token?.status);
        s.sees({ browser: 'a session cookie', bff: "alice's access token (a signed JWT for the notes API)" });
        return token;
      },
    );

    const stolen = await step(
      {
        actor: 'Attacker',
        action: "copies the BFF's session store and reads alice's access token",
        look: 'header and payload: anyone can read a JWT, only the authorization server can sign one',
      },
      async (s) => {
        const tokens = await rawTokensOf(lab, tokenResponse);
        const accessToken = tokens?.accessToken ?? '';
        const jwt = accessToken ? readJwt(accessToken) : undefined;
        s.expect('a signed JWT access token (RFC 9068)', { alg: 'RS256', typ: 'at+jwt' }, { alg: jwt?.header.alg, typ: jwt?.header.typ });
        s.expect('for alice, at the notes API', { sub: 'alice', aud: api }, { sub: jwt?.payload.sub, aud: jwt?.payload.aud });
        s.note(
          "Base64url is an encoding, not encryption: Mallory reads every claim. What she cannot do is produce the RS256 signature over changed claims: that takes the authorization server's private key.",
        );
        s.sees({ attacker: "alice's access token, decoded", bff: 'the same token: the breach copied it, nothing tells the BFF' });
        return { accessToken, payload: jwt?.payload ?? {} };
      },
    );

    const callApi = (token: string) => fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `Bearer ${token}` } });

    await step(
      {
        actor: 'Attacker',
        action: "changes sub from alice to bob in the payload, keeps alice's signature, and calls GET /notes",
        look: "the API's answer and its WWW-Authenticate challenge",
      },
      async (s) => {
        const { header, payload, signature } = readJwt(stolen.accessToken);
        // She drops cnf too: the token is bound to the BFF's DPoP key, which she does not have, and
        // an API that does not check the signature cannot tell that the binding was removed.
        const { cnf: _binding, ...claims } = payload;
        const tampered = writeJwt(header, { ...claims, sub: 'bob' }, signature);
        const response = await callApi(tampered);
        const body = await readJson(response);
        const shown = readNotes(body);
        if (defended) {
          s.expect('the API refuses it', { status: 401, error: 'invalid_token' }, { status: response.status, error: body.error });
          s.expect(
            'and says why in the challenge (RFC 6750 §3)',
            invalidTokenChallenge("the signature does not match the authorization server's key: the token was altered or signed by someone else"),
            response.headers.get('www-authenticate'),
          );
          s.expect("no note of bob's reached Mallory", false, shown.texts.includes(BOB_SECRET_NOTE));
          s.note(
            "The signature covers header and payload: change one character and it no longer verifies with the authorization server's public key (from its JWKS).",
          );
        } else {
          s.expectLeak(
            "the API serves bob's notes to Mallory",
            { status: 200, owner: 'bob', leaked: true },
            { status: response.status, owner: shown.owner, leaked: shown.texts.includes(BOB_SECRET_NOTE) },
          );
          s.note('The API read the claims without checking the signature: an edited token is as good as a real one.');
        }
        s.sees({ attacker: defended ? 'a 401 and its reason' : `bob's notes: "${BOB_SECRET_NOTE}"` });
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: 'writes a token from scratch for alice with {"alg":"none","typ":"at+jwt"} and no signature, and calls GET /notes',
        look: 'whether the API lets the token choose its own algorithm',
      },
      async (s) => {
        // Her claims count in the lab's time, as the API reads it (it may be ahead of real time).
        const now = Math.floor((await labNow(lab)) / 1000);
        const forged = writeJwt(
          { alg: 'none', typ: 'at+jwt' },
          { iss: stolen.payload.iss, sub: 'alice', aud: api, client_id: 'bff', scope: 'notes:read notes:write', iat: now, exp: now + 3600, jti: randomUUID() },
        );
        const response = await callApi(forged);
        const body = await readJson(response);
        const shown = readNotes(body);
        if (defended) {
          s.expect('the API refuses it', { status: 401, error: 'invalid_token' }, { status: response.status, error: body.error });
          s.expect(
            'alg none is not among the algorithms it accepts',
            invalidTokenChallenge(`alg is none (an unsigned token), this API accepts only ${API_ALGORITHMS}`),
            response.headers.get('www-authenticate'),
          );
          s.expect("no note of alice's reached Mallory", false, shown.texts.includes(ALICE_SECRET_NOTE));
          s.note(
            'RFC 8725 §3.1: the algorithms come from the API\'s configuration, never from the token\'s own header. "none" and HMAC algorithms are never on the list.',
          );
        } else {
          s.expectLeak(
            "the API accepts an unsigned token and serves alice's notes",
            { status: 200, owner: 'alice', leaked: true },
            { status: response.status, owner: shown.owner, leaked: shown.texts.includes(ALICE_SECRET_NOTE) },
          );
          s.note("Mallory needed nothing from alice for this one: no stolen token, only the issuer's URL and the API's audience, both public.");
        }
        s.sees({ attacker: defended ? 'a 401 and its reason' : `alice's notes, with a token she wrote herself` });
      },
    );

    await step(
      {
        actor: 'Attacker',
        action: `replays alice's copied token unchanged ${laterBy(lifetime)}, when it has expired`,
        look: 'exp: checked whatever the signature switch says',
      },
      async (s) => {
        const exp = Number(stolen.payload.exp);
        // The lab's clock moves past exp and the API's tolerance: the token is expired at the API.
        await moveLabTimePast(s, lab, exp * 1000 + API_CLOCK_TOLERANCE_MS);
        const response = await callApi(stolen.accessToken);
        s.expect('the API refuses it', { status: 401, error: 'invalid_token' }, { status: response.status, error: (await readJson(response)).error });
        s.expect(
          'because it has expired',
          invalidTokenChallenge(`the access token expired at ${new Date(exp * 1000).toISOString()}`),
          response.headers.get('www-authenticate'),
        );
        s.note(
          defended
            ? 'A stolen access token is worth its remaining lifetime, which is why access tokens are short-lived and the BFF refreshes them.'
            : 'exp is still checked with the signature off, and so is iss: but anyone who can write a token can write any exp, as the previous steps showed.',
        );
        s.sees({ attacker: 'a token that was genuine, and is now worthless' });
      },
    );
  },
});
