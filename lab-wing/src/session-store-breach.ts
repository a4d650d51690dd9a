import type Router from '@koa/router';

/** What the breach reads of the BFF's stores: their lab-only listings (`SessionStore.list`, `TokenStore.list`). */
export interface BreachableStores {
  readonly sessions: { list?(): Promise<ReadonlyArray<{ readonly data: unknown }>> };
  readonly tokens: { list?(): Promise<ReadonlyArray<{ readonly sid: string; readonly tokens: unknown }>> };
}

/**
 * LAB ONLY, behind the control key: `GET /_lab/session-store` returns every signed-in session with
 * its raw tokens, to play "the attacker got a copy of the BFF's session store" in the refresh-token
 * replay scenarios. A real BFF has no such route; the lab labels everything it returns as stolen.
 */
export function addSessionStoreBreach(router: Router, stores: BreachableStores): void {
  router.get('/session-store', async (ctx) => {
    const subjects = new Map<string, string | undefined>();
    for (const { data } of (await stores.sessions.list?.()) ?? []) {
      const session = data as { sid?: string; user?: { sub?: string } };
      if (session.sid) subjects.set(session.sid, session.user?.sub);
    }
    const held = (await stores.tokens.list?.()) ?? [];
    ctx.body = {
      warning: 'Lab only: raw tokens from the session store, as a breach would expose them. A real system never serves this.',
      sessions: held.map(({ sid, tokens }) => ({ sid, sub: subjects.get(sid), tokens })),
    };
  });
}
