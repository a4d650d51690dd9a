import type { CallOutcome } from './load-client.ts';

/** The calls a signed-in session makes, as the SPA makes them. */
export type SessionCall = 'GET /api/notes' | 'POST /api/notes' | 'GET /bff/user';

/**
 * What a call's answer means for the test:
 * - `ok`: the expected status, and everything in it belongs to the session's own user;
 * - `lost`: 401, the BFF no longer knows the session (the user would be sent to sign in again);
 * - `cross-user`: the expected status, but a note or claim of another user;
 * - `error`: a 5xx or no answer at all (refused, reset, hung);
 * - `unexpected`: any other status (a 400, 403, 429…), which a signed-in user should not see either.
 */
export type Verdict =
  | { readonly kind: 'ok'; readonly accessTokenExpiresAt?: string }
  | { readonly kind: 'lost' | 'cross-user' | 'error' | 'unexpected'; readonly detail: string };

const EXPECTED_STATUS: Record<SessionCall, number> = {
  'GET /api/notes': 200,
  'POST /api/notes': 201,
  'GET /bff/user': 200,
};

/**
 * Judges one answer to `call` made by a session signed in as `sub`. For `POST /api/notes`,
 * `sentText` is the note's text, unique to the session and the round: the stored note must be
 * that one, owned by `sub`.
 */
export function judgeAnswer(call: SessionCall, sub: string, outcome: CallOutcome, sentText?: string): Verdict {
  if (outcome.kind === 'network') return { kind: 'error', detail: `network ${outcome.error}` };
  const { status, body } = outcome;
  if (status !== EXPECTED_STATUS[call]) {
    const detail = `${status} ${describeError(body)}`;
    if (status === 401) return { kind: 'lost', detail };
    if (status >= 500) return { kind: 'error', detail };
    return { kind: 'unexpected', detail };
  }
  const record = asRecord(body);
  switch (call) {
    case 'GET /api/notes': {
      // The API answers `{ owner, notes: [{ id, owner, text, createdAt }] }` for the token's `sub`.
      const notes = Array.isArray(record.notes) ? record.notes.map(asRecord) : undefined;
      if (record.owner !== sub || !notes) return { kind: 'cross-user', detail: `list of ${describe(record.owner)}` };
      const foreign = notes.find((note) => note.owner !== sub);
      return foreign ? { kind: 'cross-user', detail: `a note of ${describe(foreign.owner)}` } : { kind: 'ok' };
    }
    case 'POST /api/notes': {
      const note = asRecord(record.note);
      if (note.owner !== sub) return { kind: 'cross-user', detail: `note stored for ${describe(note.owner)}` };
      if (note.text !== sentText) return { kind: 'cross-user', detail: "note stored with another session's text" };
      return { kind: 'ok' };
    }
    case 'GET /bff/user': {
      const claims = asRecord(record.claims);
      if (claims.sub !== sub) return { kind: 'cross-user', detail: `user ${describe(claims.sub)}` };
      const expiresAt = asRecord(record.session).accessTokenExpiresAt;
      return typeof expiresAt === 'string' ? { kind: 'ok', accessTokenExpiresAt: expiresAt } : { kind: 'ok' };
    }
  }
}

/**
 * A lab error body (`{ error, message }`) in a few words: the code and the start of the message
 * (`session_expired "Your session has ended: grant request is invalid…"`). The lab's messages
 * name what failed, never a token.
 */
export function describeError(body: unknown): string {
  const message = asRecord(body).message;
  return typeof message === 'string' ? `${errorCodeOf(body)} "${message.slice(0, 100)}"` : errorCodeOf(body);
}

/** The JSON error code of a lab error body (`{ error, message }`), or `-`. */
export function errorCodeOf(body: unknown): string {
  const error = asRecord(body).error;
  return typeof error === 'string' ? error.slice(0, 60) : '-';
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
