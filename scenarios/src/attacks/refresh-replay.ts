import { randomBytes } from 'node:crypto';
import type { Party } from '@lab/shared';
import { defineAttack } from '../engine/define-attack.ts';
import type { ScenarioContext } from '../engine/scenario.ts';
import { queryOf } from '../library/exchanges.ts';
import { ScriptedUserAgent, readJson } from '../library/scripted-user-agent.ts';
import { ALICE_SECRET_NOTE, readNotes } from '../library/notes-view.ts';
import { createPkcePair } from '../library/attack-tools.ts';

/** The lab's public client (anti-pattern mode): no secret, PKCE, tokens kept in the browser. */
const PUBLIC_CLIENT = 'spa-public';
/** What the SPA asks for in that mode (spa/src/public-client.ts). */
const PUBLIC_CLIENT_SCOPE = 'openid profile email notes:read notes:write';

/** A token endpoint answer, with the fields a learner compares. */
interface TokenAnswer {
  readonly status: number;
  readonly error?: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
}

/**
 * RFC 9700 §4.14.2: refresh token replay. A refresh token that leaks keeps working for its whole
 * lifetime, unless it is sender-constrained or rotated. For a confidential client like the BFF the
 * client secret binds it; for a public client only rotation is left: every use returns a new
 * refresh token, and an old one coming back tells the authorization server that two parties hold
 * the grant, so it revokes the grant.
 */
export const [refreshReplay, refreshReplayWeakened] = defineAttack({
  id: 'attack-refresh-replay',
  title: "Refresh token replay: Mallory keeps a copy of alice's refresh token",
  threat: 'RFC 9700 §4.14 (refresh token protection), §4.14.2: replay of a stolen refresh token',
  defence: 'refresh-rotation',
  teaches:
    "With rotation, every refresh returns a new refresh token and spends the old one (RFC 9700 §4.14.2). When the old one comes back, the authorization server cannot tell who is the thief, so it refuses it with invalid_grant and revokes the whole grant: Mallory's copy and alice's current token die together, and alice simply signs in again. Without rotation, one stolen refresh token mints access tokens for its whole lifetime, while alice notices nothing.",
  prerequisites: [
    'The lab runs in its anti-pattern mode for this scenario: the SPA is its own public OAuth client, "spa-public" (no client secret), and keeps its tokens in the browser. A public client\'s refresh token is bound to nothing Mallory lacks; rotation is what is left. (In BFF mode the refresh token never reaches the browser, and the BFF\'s client secret binds it.)',
    "alice (Resource Owner) signs in; her browser's requests are those of the SPA's public-client code (spa/src/public-client.ts), sent here as plain HTTP.",
    "Mallory (Attacker) got a copy of alice's refresh token: in this mode it sits in localStorage, where any injected script reads it (see the XSS scenarios).",
  ],
  async run({ topology, lab, step, fetchAs }, { defended }) {
    // Both runs, not only the weakened one: the defence under test is rotation, not the BFF pattern.
    await lab.setMode('public-client');
    const spa = topology.spa.url;
    const issuer = topology.authserver.url;
    const api = topology['resource-api'].url;
    const alice = new ScriptedUserAgent(fetchAs, 'user-agent');

    const stolen = await step(
      {
        actor: 'Resource Owner',
        action: 'signs in to the app in public-client mode; the SPA redeems the code itself, with PKCE and no secret',
        look: 'the refresh token in the token response: it is in the browser now',
      },
      async (s) => {
        const pkce = createPkcePair();
        const authorize = new URL(`${issuer}/auth`);
        authorize.search = new URLSearchParams({
          client_id: PUBLIC_CLIENT,
          response_type: 'code',
          redirect_uri: `${spa}/spa-callback`,
          scope: PUBLIC_CLIENT_SCOPE,
          resource: api,
          state: randomBytes(16).toString('base64url'),
          nonce: randomBytes(16).toString('base64url'),
          code_challenge: pkce.code_challenge,
          code_challenge_method: 'S256',
        }).toString();
        const callbackUrl = await alice.signInAtAuthorizationServer(authorize.toString(), 'alice');
        const tokens = await redeem(
          fetchAs,
          'user-agent',
          issuer,
          {
            grant_type: 'authorization_code',
            code: queryOf(callbackUrl).code ?? '',
            redirect_uri: `${spa}/spa-callback`,
            client_id: PUBLIC_CLIENT,
            code_verifier: pkce.code_verifier,
            resource: api,
          },
          spa,
        );
        s.expect('the authorization server issues tokens to the public client', 200, tokens.status);
        s.check('including a refresh token', 'a refresh token', tokens.refreshToken ? 'a refresh token' : 'none', Boolean(tokens.refreshToken));
        s.note(
          "The SPA stores all three tokens in localStorage. Mallory's injected script copies the refresh token: from here on she has what alice's app has, and no secret is needed to use it.",
        );
        s.sees({ browser: 'access, refresh and ID token, in localStorage', attacker: "a copy of alice's refresh token" });
        return tokens;
      },
    );

    const refreshed = await step(
      {
        actor: 'Client: SPA',
        action: "alice's app refreshes its access token, as it does whenever it expires",
        look: 'the refresh token in the answer: new, or the same?',
      },
      async (s) => {
        const tokens = await refresh(fetchAs, 'user-agent', issuer, stolen.refreshToken, api, spa);
        s.expect('the authorization server issues a new access token', 200, tokens.status);
        if (defended) {
          s.check(
            'and a NEW refresh token: the one Mallory copied is now spent',
            'a different refresh token',
            tokens.refreshToken === stolen.refreshToken ? 'the same' : 'a different one',
            tokens.refreshToken !== undefined && tokens.refreshToken !== stolen.refreshToken,
          );
        } else {
          const same = tokens.refreshToken === undefined || tokens.refreshToken === stolen.refreshToken;
          s.checkLeak(
            "and the same refresh token again: it stays valid, in alice's app and in Mallory's hands",
            'the same refresh token (or none)',
            same ? 'the same' : 'a different one',
            same,
          );
        }
        s.sees({
          browser: defended ? 'a new access token and a new refresh token' : 'a new access token; the same refresh token',
          attacker: defended ? 'a refresh token that was just rotated out' : "a refresh token as good as alice's",
        });
        return { ...tokens, refreshToken: tokens.refreshToken ?? stolen.refreshToken };
      },
    );

    let minted: string | undefined;
    for (const attempt of ['first', 'second'] as const) {
      await step(
        {
          actor: 'Attacker',
          action: `replays the copied refresh token at the token endpoint from her own machine (${attempt} time)`,
          look: "the token endpoint's answer",
        },
        async (s) => {
          const tokens = await refresh(fetchAs, 'attacker', issuer, stolen.refreshToken, api);
          if (defended) {
            s.expect(
              'the authorization server refuses the spent refresh token',
              { status: 400, error: 'invalid_grant' },
              { status: tokens.status, error: tokens.error },
            );
            s.expect('and issues no access token', undefined, tokens.accessToken);
            if (attempt === 'first')
              s.note(
                'A rotated-out refresh token came back: someone else holds a copy. The authorization server cannot tell the thief from alice, so it revokes the whole grant (oidc-provider: the refresh tokens of the grant, and the grant itself).',
              );
          } else {
            s.expectLeak('the authorization server issues Mallory an access token', 200, tokens.status);
            s.checkLeak('for alice', 'sub alice', readSubject(tokens.accessToken), readSubject(tokens.accessToken) === 'alice');
            minted = tokens.accessToken;
          }
          s.sees({
            attacker: defended ? 'a 400 invalid_grant, nothing else' : "a fresh access token for alice's notes",
            authserver: defended ? 'the grant, revoked' : "one more refresh of alice's grant, nothing unusual",
          });
        },
      );
    }

    if (!defended) {
      await step({ actor: 'Attacker', action: 'calls the notes API with the access token she minted', look: 'whose notes come back' }, async (s) => {
        const response = await fetchAs('attacker', `${api}/notes`, { headers: { Authorization: `Bearer ${minted ?? ''}` } });
        const shown = readNotes(await readJson(response));
        s.expectLeak(
          "the API serves alice's notes to Mallory",
          { status: 200, owner: 'alice', leaked: true },
          { status: response.status, owner: shown.owner, leaked: shown.texts.includes(ALICE_SECRET_NOTE) },
        );
        s.sees({ attacker: `alice's notes: "${ALICE_SECRET_NOTE}"`, api: 'a valid token for alice: it cannot know who sent it' });
      });
    }

    await step(
      { actor: 'Client: SPA', action: "alice's app refreshes again, with its current refresh token", look: "whether alice's own session survived" },
      async (s) => {
        const tokens = await refresh(fetchAs, 'user-agent', issuer, refreshed.refreshToken, api, spa);
        if (defended) {
          s.expect('refused too: the grant is revoked', { status: 400, error: 'invalid_grant' }, { status: tokens.status, error: tokens.error });
          s.note(
            "alice's app signs her out; she signs in again and gets a new grant, of which Mallory holds nothing. Rotation did not prevent the theft: it made the stolen copy die at its first use, and the grant with it.",
          );
        } else {
          s.expectLeak("alice's app refreshes as usual: nothing tells her someone else is using her grant", 200, tokens.status);
        }
        s.sees({
          browser: defended ? 'signed out: the tokens are useless' : 'a fresh access token, as always',
          attacker: defended ? 'nothing that works' : 'a refresh token that keeps working until it expires',
        });
      },
    );
  },
});

/** A refresh_token grant for the public client (RFC 6749 §6): no client authentication, only client_id. */
function refresh(
  fetchAs: ScenarioContext['fetchAs'],
  as: Party,
  issuer: string,
  refreshToken: string | undefined,
  resource: string,
  origin?: string,
): Promise<TokenAnswer> {
  return redeem(fetchAs, as, issuer, { grant_type: 'refresh_token', refresh_token: refreshToken ?? '', client_id: PUBLIC_CLIENT, resource }, origin);
}

/**
 * A token request as the public client sends it. The SPA's are cross-origin fetches from the app's
 * origin, without the authorization server's cookies; Mallory's come from her own machine.
 */
async function redeem(fetchAs: ScenarioContext['fetchAs'], as: Party, issuer: string, fields: Record<string, string>, origin?: string): Promise<TokenAnswer> {
  const response = await fetchAs(as, `${issuer}/token`, {
    method: 'POST',
    headers: origin ? { Origin: origin } : {},
    body: new URLSearchParams(fields),
  });
  const body = await readJson(response);
  return {
    status: response.status,
    error: typeof body.error === 'string' ? body.error : undefined,
    accessToken: typeof body.access_token === 'string' ? body.access_token : undefined,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}

function readSubject(accessToken: string | undefined): string | undefined {
  if (!accessToken) return undefined;
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
  return payload.sub;
}
