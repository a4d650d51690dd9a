import { BFF_SESSION_COOKIE } from './topology.ts';
import type { Party, TraceEvent } from './trace-event.ts';
import { displayPathOf } from './trace-view.ts';

/**
 * "Who holds what": which party has had which secret of the flow, derived from the trace alone
 * (the X-ray's table, the reports). Browser-safe: no run-time import but `trace-view.ts`.
 */

export type ArtifactId =
  | 'session-cookie'
  | 'authorization-code'
  | 'pkce-verifier'
  | 'state'
  | 'access-token'
  | 'refresh-token'
  | 'id-token'
  | 'client-secret'
  | 'dpop-key';

export const ARTIFACTS: ReadonlyArray<{ readonly id: ArtifactId; readonly name: string }> = [
  { id: 'session-cookie', name: 'Session cookie' },
  { id: 'authorization-code', name: 'Authorization code' },
  { id: 'pkce-verifier', name: 'PKCE code_verifier' },
  { id: 'state', name: 'state' },
  { id: 'access-token', name: 'Access token' },
  { id: 'refresh-token', name: 'Refresh token' },
  { id: 'id-token', name: 'ID token' },
  { id: 'client-secret', name: 'Client secret' },
  { id: 'dpop-key', name: 'DPoP private key' },
];

/** The rows of the table: the browser (the User Agent and the SPA's code in it are one holder) and the servers. */
export const HOLDERS: ReadonlyArray<{ readonly party: Party; readonly name: string }> = [
  { party: 'user-agent', name: 'Browser (User Agent + SPA)' },
  { party: 'bff', name: 'BFF' },
  { party: 'authserver', name: 'Authorization Server' },
  { party: 'resource-api', name: 'Resource API' },
  { party: 'attacker', name: 'Attacker' },
];

export interface Holding {
  readonly party: Party;
  readonly artifact: ArtifactId;
  /** `held`; `spent` (a code once redeemed, with its verifier and state); `gone` (a cookie removed, a session ended). */
  readonly state: 'held' | 'spent' | 'gone';
  /** How it got there, in a few words. */
  readonly how: string;
  /** The exchange that showed it (none for what is configured). */
  readonly eventId?: string;
}

/** What every run starts with: the client secret is configured in the BFF and registered at the authorization server. */
const CONFIGURED: readonly Holding[] = [
  { party: 'bff', artifact: 'client-secret', state: 'held', how: 'in its configuration' },
  { party: 'authserver', artifact: 'client-secret', state: 'held', how: 'the client registration' },
];

const TOKEN_FIELDS: ReadonlyArray<[string, ArtifactId]> = [
  ['access_token', 'access-token'],
  ['refresh_token', 'refresh-token'],
  ['id_token', 'id-token'],
  ['id_token_hint', 'id-token'],
];

/** Every party × artifact that the trace shows, in the order they appeared (the first sighting wins, then its state). */
export function deriveHoldings(exchanges: readonly TraceEvent[]): Holding[] {
  const table = new Map<string, Holding>(CONFIGURED.map((holding) => [`${holding.party}|${holding.artifact}`, holding]));
  const give = (party: Party, artifact: ArtifactId, how: string, event: TraceEvent) => {
    const holder = party === 'spa' ? 'user-agent' : party;
    const key = `${holder}|${artifact}`;
    const known = table.get(key);
    if (!known || known.state === 'gone') table.set(key, { party: holder, artifact, state: 'held', how, eventId: event.id });
  };
  const mark = (artifact: ArtifactId, state: 'spent' | 'gone', parties?: readonly Party[]) => {
    for (const [key, holding] of table) {
      if (holding.artifact === artifact && holding.state === 'held' && (!parties || parties.includes(holding.party))) table.set(key, { ...holding, state });
    }
  };

  for (const event of exchanges) {
    const sender = event.from;
    const receiver = event.to;
    const call = `${event.method} ${displayPathOf(event.url)}`;
    const sent = { ...paramsOf(event.url), ...fieldsOf(event.requestBody) };
    const location = event.responseHeaders.location;
    const redirect = location ? paramsOf(location) : {};
    const answer = event.status !== undefined && event.status < 400 ? fieldsOf(event.responseBody) : {};
    const ok = event.status !== undefined && event.status < 400;

    // Authorization code (RFC 6749 §4.1.2): in the redirect, then in the callback URL, then at /token.
    if ('code' in redirect) {
      give(receiver, 'authorization-code', `issued it in the redirect (${call})`, event);
      give(sender, 'authorization-code', `in the Location of ${call}`, event);
    }
    if ('code' in sent) {
      give(sender, 'authorization-code', `sent it: ${call}`, event);
      give(receiver, 'authorization-code', `received it: ${call}`, event);
    }
    if (event.requestHeaders.referer && 'code' in paramsOf(event.requestHeaders.referer)) {
      give(receiver, 'authorization-code', `in the Referer of ${call}`, event);
    }

    // PKCE (RFC 7636): whoever builds the authorization request keeps the verifier; only its hash travels.
    if ('code_challenge' in redirect) give(receiver, 'pkce-verifier', `made it; only the challenge left (${call})`, event);
    if ('code_challenge' in sent && !hasHolder(table, 'pkce-verifier')) give(sender, 'pkce-verifier', `made it; its challenge is in ${call}`, event);
    if ('code_verifier' in sent) {
      give(sender, 'pkce-verifier', `sent it: ${call}`, event);
      give(receiver, 'pkce-verifier', `received it: ${call}`, event);
    }

    // state (RFC 6749 §10.12): made by the client, carried by the browser both ways.
    if ('state' in redirect) {
      give(receiver, 'state', `in the redirect of ${call}`, event);
      give(sender, 'state', `in the Location of ${call}`, event);
    }
    if ('state' in sent) {
      give(sender, 'state', `sent it: ${call}`, event);
      give(receiver, 'state', `received it: ${call}`, event);
    }

    // A redeemed code ends its login: the code, its verifier and its state are single-use.
    if (sent.grant_type === 'authorization_code' && ok) {
      mark('authorization-code', 'spent');
      mark('pkce-verifier', 'spent');
      mark('state', 'spent');
    }

    // Tokens: whoever receives a token response, and whoever a token is sent to.
    for (const [field, artifact] of TOKEN_FIELDS) {
      if (typeof answer[field] === 'string') {
        give(sender, artifact, `token response of ${call}`, event);
        give(receiver, artifact, `issued it (${call})`, event);
      }
      if (typeof sent[field] === 'string' || (typeof redirect[field] === 'string' && field !== 'id_token_hint')) {
        give(sender, artifact, `sent it: ${call}`, event);
        give(receiver, artifact, `received it: ${call}`, event);
      }
    }
    if (/^bearer /i.test(event.requestHeaders.authorization ?? '')) {
      give(sender, 'access-token', `sent it as Bearer: ${call}`, event);
      give(receiver, 'access-token', `received it as Bearer: ${call}`, event);
    }
    // DPoP (RFC 9449): the BFF signs each proof with its private key; only the public key travels, in
    // the proof's `jwk` header, so nobody who sees a proof, or a token bound to it, holds the key.
    // Proofs sent by anyone else are replays or signed with another key: not the BFF's.
    if (event.requestHeaders.dpop && sender === 'bff') give('bff', 'dpop-key', `signs the DPoP proofs with it; only the public key travels (${call})`, event);
    if (/^dpop /i.test(event.requestHeaders.authorization ?? '')) {
      give(sender, 'access-token', `sent it as DPoP, with a proof: ${call}`, event);
      give(receiver, 'access-token', `received it as DPoP: ${call}`, event);
    }
    if (receiver === 'attacker') {
      for (const jwt of event.jwts ?? []) give('attacker', isAccessToken(jwt.header, jwt.payload) ? 'access-token' : 'id-token', `stolen: ${jwt.where}`, event);
      // Opaque tokens (a refresh token is no JWT) are known by their field's name, at any depth: a
      // script's dump of localStorage (`lab.refresh_token`), a token response it reports.
      for (const artifact of namedTokensIn(event.requestBody)) give('attacker', artifact, `stolen: ${call}`, event);
      if (/bff_session=/.test(`${event.requestBody ?? ''} ${event.url}`)) give('attacker', 'session-cookie', `stolen: ${call}`, event);
    }

    // The session cookie: set by the BFF, sent back by the browser, removed at sign-out. The
    // request (with the cookie it carried) comes before its answer (which may remove the cookie).
    if (event.cookies?.sent.some((cookie) => cookie.name === BFF_SESSION_COOKIE)) give(sender, 'session-cookie', `sent it: ${call}`, event);
    for (const cookie of event.cookies?.set ?? []) {
      if (cookie.name !== BFF_SESSION_COOKIE) continue;
      if (cookie.removed) mark('session-cookie', 'gone', [sender === 'spa' ? 'user-agent' : sender]);
      else {
        give(sender, 'session-cookie', `Set-Cookie on ${call}`, event);
        give(receiver, 'session-cookie', `its session store (${call})`, event);
      }
    }

    // Sign-out ends the BFF session and its tokens.
    if (receiver === 'bff' && call === 'POST /bff/logout' && ok) {
      mark('access-token', 'gone', ['bff']);
      mark('refresh-token', 'gone', ['bff']);
      mark('id-token', 'gone', ['bff']);
      mark('session-cookie', 'gone', ['bff']);
    }
  }
  return [...table.values()];
}

function hasHolder(table: ReadonlyMap<string, Holding>, artifact: ArtifactId): boolean {
  return [...table.values()].some((holding) => holding.artifact === artifact);
}

/** An access token (RFC 9068 `typ: at+jwt`, or one that names a client and scopes) rather than an ID token. */
function isAccessToken(header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): boolean {
  return String(header.typ ?? '').toLowerCase() === 'at+jwt' || (payload.client_id !== undefined && payload.scope !== undefined);
}

/** `access_token`, `lab.refresh_token`, `idToken`: the names apps give the tokens they keep or send. */
const TOKEN_NAME = /(?:^|[._-])(access|refresh|id)[._-]?token$|^(access|refresh|id)Token$/i;

/** The tokens a JSON body holds in fields named for them, at any depth (walked without recursion). */
function namedTokensIn(body: string | undefined): ArtifactId[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return [];
  }
  const found = new Set<ArtifactId>();
  const pending: unknown[] = [parsed];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object') continue;
    for (const [name, value] of Object.entries(current)) {
      const kind = TOKEN_NAME.exec(name);
      if (kind && typeof value === 'string' && value !== '') found.add(`${(kind[1] ?? kind[2] ?? '').toLowerCase()}-token` as ArtifactId);
      else pending.push(value);
    }
  }
  return [...found];
}

/** The query and fragment parameters of a URL (shortened values are fine: only names matter here). */
function paramsOf(url: string): Record<string, string> {
  const params: Record<string, string> = {};
  const queryAt = url.search(/[?#]/);
  if (queryAt < 0) return params;
  for (const pair of url.slice(queryAt + 1).split(/[&#]/)) {
    const [name = '', value = ''] = pair.split('=', 2);
    if (name) params[safeDecode(name)] = safeDecode(value);
  }
  return params;
}

/** The fields of a JSON object or form body, as strings. */
function fieldsOf(body: string | undefined): Record<string, string> {
  if (!body) return {};
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
    }
    return {};
  } catch {
    if (!/^[\w.~%+-]+=/.test(body.trim())) return {};
    return paramsOf(`?${body.trim()}`);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}
