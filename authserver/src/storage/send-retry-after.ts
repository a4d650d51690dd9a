import type { EventEmitter } from 'node:events';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { AnonymousEntriesFull } from './anonymous-entries.ts';

/**
 * The endpoints where a caller without credentials can make the storage create an anonymous
 * entry (anonymous-entries.ts): `/auth` and its resume, `/session/end`, `/request` (PAR), and,
 * for a DPoP proof's replay record, `/token` and `/userinfo`.
 */
const ERROR_EVENTS = ['authorization.error', 'end_session.error', 'pushed_authorization_request.error', 'grant.error', 'userinfo.error'] as const;

/**
 * Adds `Retry-After` (RFC 9110 §10.2.3) to the 429 that oidc-provider answers when the storage
 * refuses an anonymous entry. The provider writes its error answers itself (status and body come
 * from the error) but copies no header from the error; each endpoint's error event hands over the
 * response before it leaves.
 */
export function sendRetryAfterWhenStorageIsFull(provider: Provider): void {
  // Its typings have one overload per event name, none for a list of them.
  const events: EventEmitter = provider;
  for (const event of ERROR_EVENTS) {
    events.on(event, (ctx: KoaContextWithOIDC, error: unknown) => {
      if (error instanceof AnonymousEntriesFull) ctx.set('Retry-After', String(error.retryAfterSeconds));
    });
  }
}
