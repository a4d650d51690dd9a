import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { defineAttack } from '../engine/define-attack.ts';
import { findExchange } from '../library/exchanges.ts';
import { rawTokensOf } from '../library/bff-store.ts';
import { ScriptedUserAgent, readJson } from '../library/scripted-user-agent.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { readJwt } from '../library/attack-tools.ts';
import { labNow } from '../library/lifetimes.ts';

/** The proof algorithms the notes API takes (resource-api/src/config.ts), named in its `DPoP algs="…"` challenge. */
const DPOP_ALGS = 'ES256 Ed25519 EdDSA';

/** The RFC 9449 §7.1 challenge of each refusal: the error goes in the DPoP challenge, with the accepted algorithms. */
function dpopChallenge(error: string, description: string): string {
  return `DPoP error="${error}", error_description="${description}", algs="${DPOP_ALGS}"`;
}

/**
 * RFC 9449 (DPoP) and RFC 9700 §4.10 (misuse of stolen access tokens). A bearer token is like cash:
 * whoever holds it spends it. Mallory copies alice's access token out of the BFF's session store and
 * calls the notes API herself. With DPoP the token is bound to a key that only the BFF holds
 * (`cnf.jkt`, RFC 9449 §6), and every call must carry a fresh proof signed with that key; a copy of
 * the token, or of a proof, is worth nothing without it.
 */
export const [stolenAccessToken, stolenAccessTokenWeakened] = defineAttack({
  id: 'attack-stolen-access-token',
  title: "Stolen access token: Mallory spends alice's token from her own machine",
  threat:
    'RFC 9700 §4.10 (misuse of stolen access tokens) and §4.10.1 (sender-constrained access tokens); RFC 9449 §7 (DPoP at the resource server), §11.1 (proof replay)',
  defence: 'dpop',
  teaches:
    "With DPoP the authorization server binds alice's access token to the BFF's key (cnf.jkt, RFC 9449 §6) and the notes API wants, with every call, a fresh proof signed by that key: for this method and URL (htm, htu), made just now (iat), for this token (ath), used once (jti). Mallory's copy of the token is refused as Bearer and as DPoP; a proof of her own key does not match cnf.jkt; the BFF's own proof, copied from a log, was already used. The key never leaves the BFF: only its public half travels, in each proof. Without DPoP the token is a bearer token: whoever holds it reads alice's notes until it expires.",
  prerequisites: [
    'alice (Resource Owner) signs in to the app; her browser here is plain HTTP.',
    "Mallory (Attacker) has copied the BFF's session store (the lab-only breach route GET /_lab/session-store stands in for that breach, a leaked backup or an exposed Redis): she holds alice's access token. She calls the notes API directly, from her own machine.",
    "She has also read one of the BFF's outgoing API requests in full, DPoP proof included, in a debug log left on (the lab plays this by switching the BFF's trace to its full view for that one call).",
  ],
  async run({ topology, lab, step, fetchAs }, { defended }) {
    const spa = topology.spa.url;
    const api = topology['resource-api'].url;
    const alice = new ScriptedUserAgent(fetchAs, 'user-agent');

    const tokenResponse = await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app: the BFF redeems the code',
        look: "the token request: a DPoP proof of the BFF's key; the answer's token_type",
      },
      async (s) => {
        const status = await alice.signInToApp(spa, 'alice');
        const token = findExchange(await s.exchanges(), { to: 'authserver', path: '/token', channel: 'back' });
        const tokenType = (JSON.parse(token?.responseBody ?? '{}') as { token_type?: string }).token_type;
        s.expect('the callback signs her in and redirects into the app', 302, status);
        if (defended) {
          s.check(
            'the BFF sent a DPoP proof with the code (RFC 9449 §5)',
            'a DPoP header',
            token?.requestHeaders.dpop ? 'a DPoP header' : 'none',
            Boolean(token?.requestHeaders.dpop),
          );
          s.expect('the authorization server issues a DPoP-bound token', 'DPoP', tokenType);
        } else {
          s.expectLeak(
            'the BFF sends no proof, and gets a bearer token',
            { dpop: undefined, tokenType: 'Bearer' },
            { dpop: token?.requestHeaders.dpop, tokenType },
          );
        }
        s.sees({
          browser: 'a session cookie',
          bff: "alice's tokens, and its own DPoP key pair",
          authserver: defended ? "the thumbprint of the BFF's public key, now in the token" : 'nothing about keys',
        });
        return token;
      },
    );

    const leakedProof = await step(
      {
        actor: 'Client: BFF',
        action: "loads alice's notes for the app: GET /api/notes, forwarded to the notes API",
        look: "the BFF's request to the API: its Authorization scheme and its DPoP proof, decoded",
      },
      async (s) => {
        const marks = await lab.traceMarks();
        // The "debug log": the BFF's trace in full, for this one call only.
        if (defended) await lab.update('bff', { fullView: true });
        const answer = await alice.callApp(`${spa}/api/notes`).finally(() => (defended ? lab.update('bff', { fullView: false }) : undefined));
        const sent = (await lab.traceSince(marks)).find((event) => event.service === 'bff' && event.direction === 'outbound' && event.to === 'resource-api');
        const scheme = (sent?.requestHeaders.authorization ?? '').split(' ')[0];
        const proof = sent?.requestHeaders.dpop;
        s.expect('alice sees her notes', { status: 200, owner: 'alice' }, { status: answer.status, owner: readNotes(answer.body).owner });
        if (defended) {
          const { header, payload } = readJwt(proof ?? 'e30.e30.');
          s.expect('the BFF sends the token as DPoP, with a proof', 'DPoP', scheme);
          s.expect(
            'the proof: typ dpop+jwt, the public key in its header, for this method and URL, with the hash of the token',
            { typ: 'dpop+jwt', alg: 'ES256', jwk: 'EC', htm: 'GET', htu: `${new URL(sent?.url ?? api).origin}/notes`, ath: true },
            {
              typ: header.typ,
              alg: header.alg,
              jwk: (header.jwk as { kty?: string } | undefined)?.kty,
              htm: payload.htm,
              htu: payload.htu,
              ath: typeof payload.ath === 'string',
            },
          );
          s.note('The proof carries the public key only. The private key stays in the BFF: the X-ray\'s "who holds what" shows it in one row, the BFF\'s.');
        } else {
          s.expectLeak('the BFF sends the token as Bearer, with no proof', { scheme: 'Bearer', proof: undefined }, { scheme, proof });
        }
        s.sees({
          bff: 'the private key that signed the proof',
          api: 'the token and a proof, used once',
          attacker: defended ? 'this very proof, in a log line' : 'nothing yet',
        });
        return proof;
      },
    );

    const stolen = await step(
      {
        actor: 'Attacker',
        action: "copies the BFF's session store and takes alice's access token out of it",
        look: "the token's cnf claim: is it bound to a key?",
      },
      async (s) => {
        const tokens = await rawTokensOf(lab, tokenResponse);
        const accessToken = tokens?.accessToken ?? '';
        const { payload } = readJwt(accessToken || 'e30.e30.');
        s.expect('a token for alice, at the notes API', { sub: 'alice', aud: api }, { sub: payload.sub, aud: payload.aud });
        if (defended) {
          s.check(
            "bound to a key: cnf.jkt, the thumbprint of the BFF's public key (RFC 9449 §6.1)",
            'cnf.jkt',
            JSON.stringify(payload.cnf),
            typeof (payload.cnf as { jkt?: unknown } | undefined)?.jkt === 'string',
          );
          s.note('The store holds the token, not the key: the key is in the BFF process, never written where sessions are kept (bff/src/dpop-key.ts).');
        } else {
          s.expectLeak('bound to nothing: no cnf claim', undefined, payload.cnf);
        }
        s.sees({ attacker: "alice's access token, decoded", bff: 'the same token: the breach copied it, nothing tells the BFF' });
        return accessToken;
      },
    );

    await step(
      { actor: 'Attacker', action: 'calls GET /notes with the stolen token as a Bearer token', look: "the API's answer and its WWW-Authenticate challenge" },
      async (s) => {
        const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `Bearer ${stolen}` } });
        const body = await readJson(response);
        const shown = readNotes(body);
        if (defended) {
          const description = "this access token is bound to a key (cnf.jkt): send it as 'Authorization: DPoP <token>' with a DPoP proof of that key";
          s.expect(
            'the API refuses a bound token presented as Bearer (RFC 9449 §7.2): 401 invalid_token, with a DPoP challenge',
            { status: 401, error: 'invalid_token', challenge: dpopChallenge('invalid_token', description) },
            { status: response.status, error: body.error, challenge: response.headers.get('www-authenticate') },
          );
          s.expect('and no notes', [], shown.texts);
        } else {
          s.expectLeak(
            "the API serves alice's notes to Mallory",
            { status: 200, owner: 'alice', leaked: true },
            { status: response.status, owner: shown.owner, leaked: shown.texts.includes(ALICE_SECRET_NOTE) },
          );
          s.note(
            'A bearer token is like cash (RFC 6750 §1.2): the API cannot tell who presents it. It works for Mallory until it expires, however alice signs out.',
          );
        }
        s.sees({
          attacker: defended ? 'a 401 and a challenge asking for a DPoP proof' : `alice's notes: "${ALICE_SECRET_NOTE}"`,
          api: defended ? 'a bound token without its proof' : 'a valid token for alice',
        });
      },
    );

    if (!defended) return;

    await step({ actor: 'Attacker', action: 'sends it as DPoP, without a proof', look: 'the error code' }, async (s) => {
      const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `DPoP ${stolen}` } });
      const body = await readJson(response);
      const description = 'a DPoP-bound access token needs a DPoP proof: send it in the DPoP header (RFC 9449 section 7.1)';
      s.expect(
        'refused: 401 invalid_dpop_proof (RFC 9449 §7.1)',
        { status: 401, error: 'invalid_dpop_proof', challenge: dpopChallenge('invalid_dpop_proof', description) },
        { status: response.status, error: body.error, challenge: response.headers.get('www-authenticate') },
      );
      s.sees({ attacker: 'a 401', api: 'no proof' });
    });

    await step(
      {
        actor: 'Attacker',
        action: 'makes a proof of her own: a fresh key pair, a correct htm, htu, iat, jti and ath',
        look: 'the key the API compares with cnf.jkt',
      },
      async (s) => {
        const { privateKey, publicKey } = await generateKeyPair('ES256');
        const jwk = await exportJWK(publicKey);
        const proof = await new SignJWT({
          jti: randomUUID(),
          htm: 'GET',
          htu: `${api}/notes`,
          // In the lab's time, as the API counts it (it may be ahead of real time).
          iat: Math.floor((await labNow(lab)) / 1000),
          ath: createHash('sha256').update(stolen).digest('base64url'),
        })
          .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
          .sign(privateKey);
        const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `DPoP ${stolen}`, DPoP: proof } });
        const body = await readJson(response);
        const jkt = (readJwt(stolen).payload.cnf as { jkt?: string } | undefined)?.jkt ?? '';
        const description = `the proof is signed by key ${await calculateJwkThumbprint(jwk, 'sha256')}, the access token is bound to key ${jkt} (cnf.jkt)`;
        s.expect(
          "refused: her key's thumbprint is not the token's cnf.jkt (RFC 9449 §4.3, §6.1)",
          { status: 401, error: 'invalid_dpop_proof', challenge: dpopChallenge('invalid_dpop_proof', description) },
          { status: response.status, error: body.error, challenge: response.headers.get('www-authenticate') },
        );
        s.note("A well-formed proof is easy to make; a proof of the BFF's key is not: that takes the private key, which never left the BFF.");
        s.sees({ attacker: 'a 401: her key is not the one the token is bound to', api: 'two different key thumbprints' });
      },
    );

    await step({ actor: 'Attacker', action: "replays the BFF's own proof from the log, with the token", look: 'the jti check' }, async (s) => {
      const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `DPoP ${stolen}`, DPoP: leakedProof ?? '' } });
      const body = await readJson(response);
      const description = 'this DPoP proof was already used (jti seen before): a replayed proof';
      s.expect(
        'refused: the API remembers every proof it accepted while it is fresh (RFC 9449 §11.1)',
        { status: 401, error: 'invalid_dpop_proof', challenge: dpopChallenge('invalid_dpop_proof', description) },
        { status: response.status, error: body.error, challenge: response.headers.get('www-authenticate') },
      );
      s.expect('and no notes', [], readNotes(body).texts);
      s.note(
        "A proof is for one request: this method, this URL, this token, within 60 s of its iat, once. Had Mallory been faster than the BFF, the BFF's own call would have been the refused one, and she would have had one GET /notes: the reason proofs are short-lived and never logged in production.",
      );
      s.sees({ attacker: 'a 401: a copied proof is spent', api: 'a jti it has seen before' });
    });

    await step({ actor: 'Resource Owner', action: 'goes on using the app: GET /api/notes through the BFF', look: "the app's own calls" }, async (s) => {
      const answer = await alice.callApp(`${spa}/api/notes`);
      s.expect(
        "alice's notes, as always: the BFF signs a fresh proof for each call",
        { status: 200, owner: 'alice' },
        { status: answer.status, owner: readNotes(answer.body).owner },
      );
      s.sees({ browser: "alice's notes", attacker: 'a token she cannot spend' });
    });
  },
});
