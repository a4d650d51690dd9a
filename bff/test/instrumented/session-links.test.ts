import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { afterEach, describe, expect, it } from 'vitest';
import { DefenceSwitches, type TraceEvent } from '@lab/shared';
import { TraceFeed, TraceRecorder, serveXray, sessionLinkOf, traceRequests } from '@lab/wing';
import { createSessionMiddleware, readSession } from '../../src/session.ts';
import { MemorySessionStore } from '../../src/session-store.ts';
import { SessionLifetimes } from '../../src/session-lifetimes.ts';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';
import { SESSION_KEYS } from '../../../lab-wing/test/xray/support/sign-in-story.ts';

const servers: Server[] = [];
const feeds: TraceFeed[] = [];

afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.close();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/**
 * The BFF's session middleware (koa-session, signed cookie, server-side store) behind the X-ray
 * and the trace, as `createApp` mounts them, with a login and a callback that replaces the id.
 */
async function startSessionApp(options = { xray: true }) {
  const defences = new DefenceSwitches([]);
  const app = new Koa();
  app.keys = [...SESSION_KEYS];
  const recorder = new TraceRecorder('bff');
  const feed = new TraceFeed({ recorder, peers: [], controlKey: undefined });
  feeds.push(feed);
  if (options.xray) app.use(serveXray(feed, defences, () => undefined));
  app.use(traceRequests(recorder, 'bff'));
  app.use(
    createSessionMiddleware(app, {
      store: new MemorySessionStore(),
      lifetimes: new SessionLifetimes(1_800, 3_600),
      defences,
      endTokens: async () => undefined,
    }),
  );
  const router = new Router();
  router.get('/bff/login', (ctx) => {
    readSession(ctx).loginAttempts = { 'state-0123456789abcdef': { returnTo: '/', startedAt: Date.now() } };
    ctx.redirect('http://127.0.0.1:4000/auth?state=state-0123456789abcdef');
  });
  router.get('/bff/callback', async (ctx) => {
    await readSession(ctx).regenerate();
    readSession(ctx).user = { sub: 'alice' };
    ctx.redirect('/');
  });
  router.get('/bff/user', (ctx) => {
    ctx.body = { user: readSession(ctx).user ?? null };
  });
  app.use(router.routes());
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, recorder };
}

function sessionIdOf(response: Response): string | undefined {
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('bff_session='));
  return cookie?.slice('bff_session='.length).split(';', 1)[0] || undefined;
}

function cookieHeaderOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';', 1)[0])
    .join('; ');
}

function linksOf(recorder: TraceRecorder, path: string): readonly string[] {
  const event = recorder.since().find((candidate: TraceEvent) => new URL(candidate.url).pathname === path);
  return event?.links ?? [];
}

describe("the BFF's session link keys", () => {
  it('links the callback to both the old session id (cookie) and the new one (Set-Cookie)', async () => {
    const bff = await startSessionApp();
    const login = await fetch(`${bff.url}/bff/login`, { redirect: 'manual' });
    const oldId = sessionIdOf(login)!;
    const callback = await fetch(`${bff.url}/bff/callback`, { redirect: 'manual', headers: { Cookie: cookieHeaderOf(login) } });
    const newId = sessionIdOf(callback)!;
    expect(newId).not.toBe(oldId);

    const keys = SESSION_KEYS;
    expect(linksOf(bff.recorder, '/bff/login')).toContain(sessionLinkOf(oldId, keys));
    expect(linksOf(bff.recorder, '/bff/callback')).toEqual(expect.arrayContaining([sessionLinkOf(oldId, keys), sessionLinkOf(newId, keys)]));
    // The trace keeps hashes, never the ids.
    expect(JSON.stringify(bff.recorder.since().map((event) => event.links))).not.toContain(oldId);
  });

  it('links nothing to a session id whose cookie is unsigned or wrongly signed', async () => {
    const bff = await startSessionApp();
    const forged = signedSessionCookie('1f0e2d3c-4b5a-4697-8877-665544332211', 'not-the-bff-key'.repeat(3));
    await fetch(`${bff.url}/bff/user`, { headers: { Cookie: forged } });
    await fetch(`${bff.url}/bff/user`, { headers: { Cookie: 'bff_session=1f0e2d3c-4b5a-4697-8877-665544332211' } });
    expect(bff.recorder.since().map((event) => event.links ?? [])).toEqual([[], []]);
  });

  it('leaves the response as it was: reading the cookie adds no Set-Cookie of its own', async () => {
    const forged = signedSessionCookie('1f0e2d3c-4b5a-4697-8877-665544332211', 'not-the-bff-key'.repeat(3));
    const answers = await Promise.all(
      [true, false].map(async (xray) => {
        const bff = await startSessionApp({ xray });
        const response = await fetch(`${bff.url}/nothing-here`, { headers: { Cookie: forged } });
        return { status: response.status, setCookie: response.headers.getSetCookie() };
      }),
    );
    expect(answers[0]).toEqual(answers[1]);
  });
});
