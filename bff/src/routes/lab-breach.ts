import type Router from '@koa/router';
import type { SessionStore } from '../session-store.ts';
import type { BffSession } from '../session.ts';

/**
 * LAB ONLY, behind the control key: `GET /_lab/session-store` returns every signed-in session with
 * its raw tokens, to play "the attacker got a copy of the BFF's session store" in the refresh-token
 * replay scenarios. A real BFF has no such route; the lab labels everything it returns as stolen.
 */
export function addSessionStoreBreach(router: Router, store: SessionStore): void {
  router.get('/session-store', async (ctx) => {
    const sessions = (await store.list?.()) ?? [];
    ctx.body = {
      warning: 'Lab only: raw tokens from the session store, as a breach would expose them. A real system never serves this.',
      sessions: sessions
        .map(({ id, data }) => ({ id, ...(data as BffSession) }))
        .filter((session) => session.tokens)
        .map((session) => ({ sid: session.sid, sub: session.user?.sub, tokens: session.tokens })),
    };
  });
}
