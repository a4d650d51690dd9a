import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { afterEach, describe, expect, it } from 'vitest';
import { handleErrors } from '@lab/kit';
import { DefenceSwitches, type TraceEvent } from '@lab/shared';
import { TraceRecorder, createLabControlRoutes, instrumentBff, traceRequests, type TraceFeed } from '@lab/wing';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { MemorySessionStore } from '../../src/session-store.ts';
import { MemoryTokenStore } from '../../src/token-store.ts';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';
import { idTokenOf, type StoryUser } from '../../../lab-wing/test/xray/support/sign-in-story.ts';

const KEY = 'test-control-key-0123456789abcdef';
const SESSION_KEY = 's'.repeat(32);
const servers: Server[] = [];
const feeds: TraceFeed[] = [];
const streams: AbortController[] = [];

const ALICE: StoryUser = { sub: 'alice', name: 'Alice Adams', email: 'alice@example.test', note: 'alice: buy oat milk' };
const BOB: StoryUser = { sub: 'bob', name: 'Bob Brown', email: 'bob@example.test', note: 'bob: the safe code is 4711' };
/** What of bob must never reach another learner's X-ray. */
const secretsOf = (user: StoryUser) => [user.name, user.email, user.note, `"sub":"${user.sub}"`];

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.abort();
  for (const feed of feeds.splice(0)) feed.close();
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    }),
  );
});

async function listen(app: Koa): Promise<string> {
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A notes API that records its trace like the real one and serves each token's owner their notes. */
async function startNotesApi(owners: Map<string, StoryUser>) {
  const recorder = new TraceRecorder('resource-api');
  const app = new Koa();
  app.use(handleErrors(() => undefined));
  app.use(createLabControlRoutes({ key: KEY, defences: new DefenceSwitches([]), recorder }).routes());
  app.use(traceRequests(recorder, 'resource-api'));
  const router = new Router();
  router.get('/notes', (ctx) => {
    const owner = owners.get(ctx.get('Authorization').replace(/^Bearer /, ''));
    if (!owner) throw Object.assign(new Error('unknown token'), { status: 401, expose: true });
    ctx.body = { owner: owner.sub, notes: [{ owner: owner.sub, text: owner.note }] };
  });
  app.use(router.routes());
  return { recorder, url: await listen(app) };
}

/** The real BFF, its X-ray's feed reading an authorization server's trace and the notes API's. */
async function startBff(options: { xray?: boolean; controlKey?: string } = {}) {
  const owners = new Map<string, StoryUser>();
  const api = await startNotesApi(owners);
  const authserver = new TraceRecorder('authserver');
  const control = new Koa();
  control.use(handleErrors(() => undefined));
  control.use(createLabControlRoutes({ key: KEY, defences: new DefenceSwitches([]), recorder: authserver }).routes());
  const authserverUrl = await listen(control);

  const controlKey = 'controlKey' in options ? options.controlKey : KEY;
  const config = loadConfig({
    BFF_CLIENT_SECRET: 'x'.repeat(32),
    BFF_SESSION_KEYS: SESSION_KEY,
    AUTHSERVER_PORT: '1',
    API_PORT: new URL(api.url).port,
    ...(controlKey ? { LAB_CONTROL_KEY: controlKey } : {}),
    ...(options.xray === false ? { LAB_XRAY: 'off' } : {}),
  });
  const peers = [
    { service: 'authserver' as const, url: authserverUrl },
    { service: 'resource-api' as const, url: api.url },
  ];
  const store = new MemorySessionStore();
  const tokenStore = new MemoryTokenStore();
  const defences = new DefenceSwitches([]);
  const flow = { current: config.lab.flow };
  // The lab's instruments as `main.ts` attaches them, the feed reading this test's peers quickly.
  const lab = instrumentBff({
    ...config,
    defences,
    flow,
    stores: { sessions: store, tokens: tokenStore },
    log: () => undefined,
    feed: { peers, releaseIntervalMs: 20, reconnectMs: 100, settleMs: 50 },
  });
  if (lab.xrayFeed) feeds.push(lab.xrayFeed);
  const app = createApp(config, { store, tokenStore, defences, flow, hook: lab.hook, log: () => undefined });
  const url = await listen(app);

  /** A signed-in session of `user` (as the callback leaves it), its token response in the authorization server's trace. */
  async function signIn(user: StoryUser): Promise<string> {
    const id = randomUUID();
    const sid = `sid-${randomUUID()}`;
    const accessToken = `at-${user.sub}-${randomUUID()}`;
    owners.set(accessToken, user);
    await store.set(
      id,
      { sid, signedInAt: Date.now(), user: { sub: user.sub, name: user.name, email: user.email }, _expire: Date.now() + 3_600_000, _maxAge: 3_600_000 },
      3_600_000,
    );
    await tokenStore.put(
      sid,
      {
        accessToken,
        refreshToken: `rt-${randomUUID()}`,
        accessTokenExpiresAt: Date.now() + 600_000,
        accessTokenLifetimeMs: 600_000,
        scope: 'openid notes:read',
      },
      3_600_000,
    );
    authserver.record({
      time: new Date(Date.now() - 50).toISOString(),
      direction: 'inbound',
      channel: 'back',
      from: 'bff',
      to: 'authserver',
      method: 'POST',
      url: 'http://127.0.0.1:4000/token',
      status: 200,
      durationMs: 4,
      requestHeaders: {},
      responseHeaders: {},
      responseBody: JSON.stringify({ access_token: accessToken, id_token: idTokenOf(user), token_type: 'Bearer' }),
      correlationId: randomUUID().slice(0, 8),
    });
    return signedSessionCookie(id, SESSION_KEY);
  }

  /** What a signed-in user does in the app: who am I, my notes. */
  async function useApp(cookie: string): Promise<void> {
    for (const path of ['/bff/user', '/api/notes']) {
      const response = await fetch(`${url}${path}`, { headers: { 'X-CSRF': '1', Accept: 'application/json', Cookie: cookie } });
      expect(response.status).toBe(200);
    }
  }

  return { url, recorder: lab.recorder, authserver, api, signIn, useApp };
}

interface Stream {
  readonly response: Response;
  /** The trace events received so far (a re-sent one replaces the first). */
  events(): TraceEvent[];
  /** The `event: view` messages. */
  views(): string[];
  text(): string;
}

/** Opens the X-ray's stream and keeps reading it in the background until the test ends. */
async function openStream(url: string, headers: Record<string, string> = {}): Promise<Stream> {
  const controller = new AbortController();
  streams.push(controller);
  const response = await fetch(`${url}/bff/xray/stream`, { headers, signal: controller.signal });
  let text = '';
  void (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += decoder.decode(value, { stream: true });
    }
  })();
  const messages = () =>
    text
      .split('\n\n')
      .slice(0, -1)
      .map((message) => ({ event: /^event: (.*)$/m.exec(message)?.[1], data: /^data: (.*)$/m.exec(message)?.[1] }))
      .filter((message) => message.data !== undefined);
  return {
    response,
    events: () => [
      ...new Map(
        messages()
          .filter((message) => message.event === undefined)
          .map((message) => JSON.parse(message.data!) as TraceEvent)
          .map((event) => [event.id, event]),
      ).values(),
    ],
    views: () =>
      messages()
        .filter((message) => message.event === 'view')
        .map((message) => (JSON.parse(message.data!) as { view: string }).view),
    text: () => text,
  };
}

function describeEvent(event: TraceEvent): string {
  return `${event.service} ${event.direction} ${event.method} ${new URL(event.url).pathname} ${event.status ?? ''}`.trim();
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Long enough for every event recorded so far to have been polled, settled and sent. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

const ALICE_EXCHANGES = [
  'authserver inbound POST /token 200',
  'bff inbound GET /bff/user 200',
  'bff inbound GET /api/notes 200',
  'bff outbound GET /notes 200',
  'resource-api inbound GET /notes 200',
];

describe('GET /bff/xray/stream', () => {
  it("with the control key (the instructor's view): every service's trace, the recent ones first, not cached, without CORS", async () => {
    const bff = await startBff();
    bff.authserver.record({
      time: new Date(Date.now() - 1_000).toISOString(),
      direction: 'inbound',
      channel: 'front',
      from: 'user-agent',
      to: 'authserver',
      method: 'GET',
      url: 'http://127.0.0.1:4000/auth',
      status: 303,
      durationMs: 4,
      requestHeaders: {},
      responseHeaders: {},
      correlationId: 'c1',
    });
    await fetch(`${bff.url}/bff/user`, { headers: { 'X-CSRF': '1' } });

    const stream = await openStream(bff.url, { 'X-Lab-Key': KEY });
    await until(() => stream.events().length === 2);

    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-store');
    expect(stream.response.headers.get('access-control-allow-origin')).toBeNull();
    expect(stream.views()).toEqual(['instructor']);
    expect(stream.events().map((event) => `${event.service} ${event.method} ${new URL(event.url).pathname} ${event.status}`)).toEqual([
      'authserver GET /auth 303',
      'bff GET /bff/user 401',
    ]);
    expect(stream.events().every((event) => event.links === undefined)).toBe(true);
  });

  it('without a cookie: a valid event stream that says "your session", and no event at all', async () => {
    const bff = await startBff();
    await bff.useApp(await bff.signIn(ALICE));
    await bff.useApp(await bff.signIn(BOB));
    await fetch(`${bff.url}/bff/user`, { headers: { 'X-CSRF': '1' } });

    const stream = await openStream(bff.url);
    await settle();
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.text()).toBe('retry: 2000\n\nevent: view\ndata: {"view":"session"}\n\n');
    expect(stream.events()).toEqual([]);
  });

  it("with alice's session: alice's exchanges through every service, and nothing of bob's (names, notes, e-mails, claims)", async () => {
    const bff = await startBff();
    const alice = await bff.signIn(ALICE);
    const bob = await bff.signIn(BOB);
    const stream = await openStream(bff.url, { Cookie: alice });
    await Promise.all([bff.useApp(alice), bff.useApp(bob), fetch(`${bff.url}/bff/user`, { headers: { 'X-CSRF': '1' } })]);
    await until(() => stream.events().length >= ALICE_EXCHANGES.length);
    await settle();

    expect(stream.views()).toEqual(['session']);
    expect(stream.events().map(describeEvent).sort()).toEqual([...ALICE_EXCHANGES].sort());
    expect(stream.text()).toContain(ALICE.note);
    for (const secret of secretsOf(BOB)) expect(stream.text()).not.toContain(secret);
    expect(
      stream
        .events()
        .flatMap((event) => event.jwts ?? [])
        .map((jwt) => jwt.payload.sub),
    ).toEqual(['alice']);
  });

  it("sends bob's exchanges, and the anonymous ones, only with the control key", async () => {
    const bff = await startBff();
    const everything = await openStream(bff.url, { 'X-Lab-Key': KEY });
    await Promise.all([bff.useApp(await bff.signIn(ALICE)), bff.useApp(await bff.signIn(BOB)), fetch(`${bff.url}/bff/user`, { headers: { 'X-CSRF': '1' } })]);
    await until(() => everything.events().length >= 2 * ALICE_EXCHANGES.length + 1);
    expect(everything.text()).toContain(BOB.note);
    expect(everything.text()).toContain(ALICE.note);
    expect(everything.events().map(describeEvent)).toContain('bff inbound GET /bff/user 401');
  });

  it('sends nothing for a forged session cookie: unsigned, or signed with another key', async () => {
    const bff = await startBff();
    const alice = await bff.signIn(ALICE);
    await bff.useApp(alice);
    const id = /bff_session=([^;]+)/.exec(alice)![1]!;
    const unsigned = await openStream(bff.url, { Cookie: `bff_session=${id}` });
    const otherKey = await openStream(bff.url, { Cookie: signedSessionCookie(id, 'another-key'.repeat(4)) });
    const swapped = await openStream(bff.url, { Cookie: `bff_session=${id}; bff_session.sig=${/bff_session\.sig=([^;]+)/.exec(await bff.signIn(BOB))![1]}` });
    await settle();
    for (const stream of [unsigned, otherKey, swapped]) {
      expect(stream.views()).toEqual(['session']);
      expect(stream.events()).toEqual([]);
    }
  });

  it('gives nothing more for a wrong control key', async () => {
    const bff = await startBff();
    const alice = await bff.signIn(ALICE);
    await Promise.all([bff.useApp(alice), bff.useApp(await bff.signIn(BOB))]);
    const wrong = await openStream(bff.url, { 'X-Lab-Key': `${KEY.slice(0, -1)}x` });
    const aliceWithWrongKey = await openStream(bff.url, { 'X-Lab-Key': 'guess', Cookie: alice });
    await until(() => aliceWithWrongKey.events().length >= ALICE_EXCHANGES.length);
    await settle();
    expect(wrong.views()).toEqual(['session']);
    expect(wrong.events()).toEqual([]);
    expect(aliceWithWrongKey.events().map(describeEvent).sort()).toEqual([...ALICE_EXCHANGES].sort());
  });

  it("keeps showing a learner their session once it ended (sign-out), through the X-ray's own cookie", async () => {
    const bff = await startBff();
    const alice = await bff.signIn(ALICE);
    await bff.useApp(alice);
    const first = await openStream(bff.url, { Cookie: alice });
    const viewerCookie = first.response.headers.getSetCookie().find((cookie) => cookie.startsWith('bff_xray_viewer='));
    expect(viewerCookie).toMatch(/^bff_xray_viewer=[\w-]{22}; path=\/bff\/xray; samesite=strict; httponly$/);
    const viewer = first.response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';', 1)[0])
      .join('; ');
    expect(viewer).not.toContain(/bff_session=([^;]+)/.exec(alice)![1]);

    const signedOut = await fetch(`${bff.url}/bff/logout`, { method: 'POST', headers: { 'X-CSRF': '1', Cookie: alice } });
    expect(signedOut.status).toBe(200);
    await bff.useApp(await bff.signIn(BOB));
    const afterwards = await openStream(bff.url, { Cookie: viewer });
    await until(() => afterwards.events().some((event) => new URL(event.url).pathname === '/bff/logout'));
    await settle();
    expect(afterwards.events().map(describeEvent)).toEqual(expect.arrayContaining([...ALICE_EXCHANGES, 'bff inbound POST /bff/logout 200']));
    for (const secret of secretsOf(BOB)) expect(afterwards.text()).not.toContain(secret);

    const forged = await openStream(bff.url, { Cookie: viewer.replace(/bff_xray_viewer\.sig=[^;]+/, 'bff_xray_viewer.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA') });
    // Whoever signs in next in this browser sees their own session, not the one that ended.
    const carol: StoryUser = { sub: 'carol', name: 'Carol Cole', email: 'carol@example.test', note: 'carol: next in line' };
    const carolsSession = await bff.signIn(carol);
    await bff.useApp(carolsSession);
    const next = await openStream(bff.url, { Cookie: `${viewer}; ${carolsSession}` });
    await until(() => next.text().includes(carol.note));
    await settle();
    expect(forged.events()).toEqual([]);
    for (const secret of secretsOf(ALICE)) expect(next.text()).not.toContain(secret);
  });

  it('keeps 20 parallel learners apart: each stream shows its own session only', async () => {
    const bff = await startBff();
    const users = Array.from(
      { length: 20 },
      (_, index): StoryUser => ({ sub: `user${index}`, name: `User ${index} Name`, email: `user${index}@example.test`, note: `note-of-user-${index}-` }),
    );
    const cookies = await Promise.all(users.map((user) => bff.signIn(user)));
    const watchers = await Promise.all(cookies.map((cookie) => openStream(bff.url, { Cookie: cookie })));
    await Promise.all(cookies.map((cookie) => Promise.all([bff.useApp(cookie), bff.useApp(cookie)])));
    await until(() => watchers.every((watcher) => watcher.events().length >= 2 * ALICE_EXCHANGES.length - 1), 10_000);
    await settle();
    watchers.forEach((watcher, index) => {
      expect(watcher.text()).toContain(users[index]!.note);
      const others = users.filter((_, other) => other !== index);
      expect(others.filter((user) => secretsOf(user).some((secret) => watcher.text().includes(secret)))).toEqual([]);
    });
  });

  it('is not itself recorded in the trace', async () => {
    const bff = await startBff();
    const stream = await openStream(bff.url, { 'X-Lab-Key': KEY });
    await until(() => stream.views().length === 1);
    await fetch(`${bff.url}/bff/xray/state`, { headers: { 'X-CSRF': '1' } });
    await fetch(`${bff.url}/bff/xray/view`, { method: 'POST', headers: { 'X-CSRF': '1', 'X-Lab-Key': KEY } });
    expect(bff.recorder.since().map((event) => new URL(event.url).pathname)).toEqual([]);
  });

  it('does not exist when the X-ray is off: 404 not_found', async () => {
    const bff = await startBff({ xray: false });
    const response = await fetch(`${bff.url}/bff/xray/stream`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'Nothing at GET /bff/xray/stream.' });
  });
});

describe('GET /bff/xray/state', () => {
  it('says whether any service shows secrets unshortened, and which view this browser gets', async () => {
    const bff = await startBff();
    const call = (headers: Record<string, string> = {}) => fetch(`${bff.url}/bff/xray/state`, { headers: { 'X-CSRF': '1', ...headers } });
    const off = await call();
    expect(off.status).toBe(200);
    expect(off.headers.get('cache-control')).toBe('no-store');
    expect(await off.json()).toEqual({ fullView: false, view: 'session' });
    bff.authserver.fullView = true;
    expect(await (await call({ Cookie: await bff.signIn(ALICE) })).json()).toEqual({ fullView: true, view: 'session' });
    expect(await (await call({ 'X-Lab-Key': KEY })).json()).toEqual({ fullView: true, view: 'instructor' });
  });

  it('requires the X-CSRF header, like every /bff JSON endpoint', async () => {
    const bff = await startBff();
    const response = await fetch(`${bff.url}/bff/xray/state`);
    expect(response.status).toBe(403);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      error: 'csrf_header_missing',
      message: 'This endpoint requires the header "X-CSRF: 1". Cross-site requests cannot send it.',
    });
  });
});

describe("POST /bff/xray/view (the instructor's view for a browser)", () => {
  const post = (url: string, headers: Record<string, string>) => fetch(`${url}/bff/xray/view`, { method: 'POST', headers });

  it("sets a short-lived HttpOnly cookie for the X-ray's routes only, holding no key, and the stream then shows every session", async () => {
    const bff = await startBff();
    const response = await post(bff.url, { 'X-CSRF': '1', 'X-Lab-Key': KEY });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { view: string; expiresAt: string };
    expect(body.view).toBe('instructor');
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(7_000_000);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(7_200_000);
    const [cookie = '', ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    expect(cookie).toMatch(/^bff_xray_instructor=\d+\.[\w-]{43}; path=\/bff\/xray; expires=[^;]+; samesite=strict; httponly$/);
    expect(cookie).not.toContain(KEY);

    const pair = cookie.split(';', 1)[0]!;
    await bff.useApp(await bff.signIn(BOB));
    const stream = await openStream(bff.url, { Cookie: pair });
    await until(() => stream.events().length >= ALICE_EXCHANGES.length);
    expect(stream.views()).toEqual(['instructor']);
    expect(stream.text()).toContain(BOB.note);

    const state = await fetch(`${bff.url}/bff/xray/state`, { headers: { 'X-CSRF': '1', Cookie: pair } });
    expect(await state.json()).toEqual({ fullView: false, view: 'instructor' });
    const left = await fetch(`${bff.url}/bff/xray/view`, { method: 'DELETE', headers: { 'X-CSRF': '1', Cookie: pair } });
    expect(await left.json()).toEqual({ view: 'session' });
    expect(left.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^bff_xray_instructor=; path=\/bff\/xray; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=strict; httponly$/),
    ]);
  });

  it('refuses a wrong key: 401 lab_key_required, and no cookie', async () => {
    const bff = await startBff();
    for (const key of ['', 'guess', `${KEY}x`, KEY.slice(0, -1)]) {
      const response = await post(bff.url, { 'X-CSRF': '1', 'X-Lab-Key': key });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'lab_key_required', message: "The instructor's view needs the run's key in X-Lab-Key." });
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('requires X-CSRF', async () => {
    const bff = await startBff();
    const response = await post(bff.url, { 'X-Lab-Key': KEY });
    expect(response.status).toBe(403);
  });

  it('does not take a forged or expired cookie: the stream stays "your session"', async () => {
    const bff = await startBff();
    const granted = (await post(bff.url, { 'X-CSRF': '1', 'X-Lab-Key': KEY })).headers.getSetCookie()[0]!.split(';', 1)[0]!;
    const [, expiry, mac] = /^bff_xray_instructor=(\d+)\.(.+)$/.exec(granted)!;
    await bff.useApp(await bff.signIn(BOB));
    const expired = Date.now() - 1_000;
    const expiredMac = createHmac('sha256', KEY).update(`lab x-ray instructor view until ${expired}`).digest('base64url');
    for (const cookie of [
      `bff_xray_instructor=${Number(expiry) + 1000}.${mac}`,
      `bff_xray_instructor=${expiry}.${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`,
      `bff_xray_instructor=${expired}.${expiredMac}`,
      'bff_xray_instructor=1',
    ]) {
      const stream = await openStream(bff.url, { Cookie: cookie });
      await until(() => stream.views().length === 1);
      expect(stream.views()).toEqual(['session']);
      expect(stream.events()).toEqual([]);
    }
  });

  it('does not exist in a run without a control key: 404', async () => {
    const bff = await startBff({ controlKey: undefined });
    expect((await post(bff.url, { 'X-CSRF': '1', 'X-Lab-Key': 'anything' })).status).toBe(404);
    const stream = await openStream(bff.url, { 'X-Lab-Key': 'anything' });
    await until(() => stream.views().length === 1);
    expect(stream.views()).toEqual(['session']);
  });
});
