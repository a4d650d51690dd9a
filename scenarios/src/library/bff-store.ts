import { shortenSecret, type TraceEvent } from '@lab/shared';
import type { LabConnection, StolenSessionStore } from '../engine/lab-connection.ts';
import { fieldsOf } from './exchanges.ts';

/** The raw tokens of one BFF session, as the lab-only breach route shows them. */
export type RawTokens = StolenSessionStore['sessions'][number]['tokens'];

/**
 * LAB ONLY: the raw tokens the BFF keeps for one login, read through `GET /_lab/session-store`.
 * The login is recognised by its refresh token, which the trace shows (shortened) in the token
 * response the BFF received: so several sessions of the same user never get mixed up.
 */
export async function rawTokensOf(lab: LabConnection, tokenResponse: TraceEvent | undefined): Promise<RawTokens | undefined> {
  const shown = fieldsOf(tokenResponse?.responseBody).refresh_token;
  if (typeof shown !== 'string') return undefined;
  const { sessions } = await lab.sessionStoreBreach();
  return sessions.find(({ tokens }) => tokens.refreshToken !== undefined && sameSecret(tokens.refreshToken, shown))?.tokens;
}

/** True when `shown` (from the trace: shortened, or whole in the instructor's full view) is `raw`. */
export function sameSecret(raw: string | undefined, shown: unknown): boolean {
  return raw !== undefined && (shown === raw || shown === shortenSecret(raw));
}
