import type Router from '@koa/router';
import type { SessionStore } from '../session-store.ts';
import type { BffSession } from '../session.ts';
import type { TokenStore } from '../token-store.ts';

/**
 * LAB ONLY, behind the control key: `GET /_lab/session-store` returns every signed-in session with
 * its raw tokens, to play "the attacker got a copy of the BFF's session store" in the refresh-token
 * replay scenarios. A real BFF has no such route; the lab labels everything it returns as stolen.
 */
export function addSessionStoreBreach(router: Router, store: SessionStore, tokenStore: TokenStore): void {
  router.get('/session-store', async (ctx) => {
    const subjects = new Map<string, string | undefined>();
    for (const { data } of (await store.list?.()) ?? []) {
      const session = data as BffSession;
      if (session.sid) subjects.set(session.sid, session.user?.sub);
    }
    const held = (await tokenStore.list?.()) ?? [];
    ctx.body = {
      warning: 'Lab only: raw tokens from the session store, as a breach would expose them. A real system never serves this.',
      sessions: held.map(({ sid, tokens }) => ({ sid, sub: subjects.get(sid), tokens })),
    };
  });
}
