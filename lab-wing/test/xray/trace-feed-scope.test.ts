import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { handleErrors } from '@lab/kit';
import { DefenceSwitches, type ServiceName, type TraceEvent } from '@lab/shared';
import { TraceRecorder, createLabControlRoutes } from '../../src/index.ts';
import { EVERY_SESSION, TraceFeed, type FeedScope } from '../../src/xray/trace-feed.ts';
import { sessionLinkOf } from '../../src/xray/session-links.ts';
import { SESSION_KEYS, STORY_PATHS, describeEvent, newSignInValues, recordSignInStory, type StoryRecorders, type StoryUser } from './support/sign-in-story.ts';

const KEY = 'test-control-key';
const servers: Server[] = [];
const feeds: TraceFeed[] = [];

const ALICE: StoryUser = { sub: 'alice', name: 'Alice Adams', email: 'alice@example.test', note: 'alice: buy oat milk' };
const BOB: StoryUser = { sub: 'bob', name: 'Bob Brown', email: 'bob@example.test', note: 'bob: the safe code is 4711' };

afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.close();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** A lab service that answers `/_lab/trace`, as the real ones do, counting the calls it gets. */
async function startPeer(service: ServiceName): Promise<{ recorder: TraceRecorder; url: string; calls: () => number }> {
  const recorder = new TraceRecorder(service);
  let calls = 0;
  const app = new Koa();
  app.use(async (_ctx, next) => {
    calls++;
    await next();
  });
  app.use(handleErrors(() => undefined));
  app.use(createLabControlRoutes({ key: KEY, defences: new DefenceSwitches([]), recorder }).routes());
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { recorder, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

async function startLab() {
  const authserver = await startPeer('authserver');
  const api = await startPeer('resource-api');
  const bff = new TraceRecorder('bff');
  const feed = new TraceFeed({
    recorder: bff,
    peers: [
      { service: 'authserver', url: authserver.url },
      { service: 'resource-api', url: api.url },
    ],
    controlKey: KEY,
    releaseIntervalMs: 20,
    reconnectMs: 100,
    settleMs: 60,
  });
  feeds.push(feed);
  const recorders: StoryRecorders = { bff, authserver: authserver.recorder, api: api.recorder };
  return { feed, recorders, authserver, api };
}

/** A subscriber: what it got, backlog and live, one entry per event id (a re-send replaces). */
async function watch(feed: TraceFeed, scope: FeedScope) {
  const received = new Map<string, TraceEvent>();
  const subscription = await feed.subscribe((event) => received.set(event.id, event), scope);
  for (const event of subscription.backlog) received.set(event.id, event);
  const events = () => [...received.values()].sort((a, b) => a.time.localeCompare(b.time));
  return { events, paths: () => events().map(describeEvent), text: () => JSON.stringify(events()), subscription };
}

function learner(...sessionIds: string[]): FeedScope {
  return { sessionLinks: sessionIds.map((id) => sessionLinkOf(id, SESSION_KEYS)) };
}

async function until(condition: () => boolean, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe("TraceFeed: a learner's view", () => {
  it("gives a learner their own sign-in, API call and sign-out, and nothing of another user's", async () => {
    const { feed, recorders } = await startLab();
    const alice = recordSignInStory(recorders, ALICE);
    const bob = recordSignInStory(recorders, BOB, newSignInValues(), 2_900);
    const everyone = await watch(feed, EVERY_SESSION);
    const ofAlice = await watch(feed, learner(alice.sessionId));
    await until(() => everyone.events().length === 2 * STORY_PATHS.length);
    await settle();

    expect(ofAlice.paths()).toEqual(STORY_PATHS);
    for (const secret of [BOB.name, BOB.email, BOB.note, bob.state, bob.accessToken.slice(0, 30), bob.sessionId]) expect(ofAlice.text()).not.toContain(secret);
    expect(
      ofAlice
        .events()
        .flatMap((event) => event.jwts ?? [])
        .map((jwt) => jwt.payload.sub),
    ).not.toContain('bob');
    expect(ofAlice.text()).toContain(ALICE.note);
  });

  it('keeps the flow in one group across the session id change at the callback: the old id sees it all too', async () => {
    const { feed, recorders } = await startLab();
    const alice = recordSignInStory(recorders, ALICE);
    recordSignInStory(recorders, BOB, newSignInValues(), 2_900);
    const beforeCallback = await watch(feed, learner(alice.loginSessionId));
    await until(() => beforeCallback.events().length === STORY_PATHS.length);
    await settle();
    expect(beforeCallback.paths()).toEqual(STORY_PATHS);
  });

  it('sends nothing to a subscriber without a session, and polls nobody for it', async () => {
    const { feed, recorders, authserver } = await startLab();
    recordSignInStory(recorders, ALICE);
    const anonymous = await watch(feed, { sessionLinks: [] });
    const unknown = await watch(feed, learner('a-session-id-that-never-was'));
    await settle();
    expect(anonymous.events()).toEqual([]);
    expect(unknown.events()).toEqual([]);
    unknown.subscription.unsubscribe();
    // A round of polls already under way may still end; after it, nobody is polled any more.
    await settle();
    const polls = authserver.calls();
    await settle();
    expect(authserver.calls()).toBe(polls);
  });

  it('sends a learner the exchanges that join their flow later, once they do', async () => {
    const { feed, recorders } = await startLab();
    const values = newSignInValues();
    const ofAlice = await watch(feed, learner(values.sessionId));
    // The authorization server's part comes first; nothing ties it to alice's session yet.
    const { authserver } = recorders;
    authserver.record({
      time: new Date(Date.now() - 500).toISOString(),
      direction: 'inbound',
      channel: 'front',
      from: 'user-agent',
      to: 'authserver',
      method: 'GET',
      url: `http://127.0.0.1:4000/auth/${values.consentUid}`,
      status: 303,
      durationMs: 3,
      requestHeaders: {},
      responseHeaders: { location: `http://localhost:5173/bff/callback?code=${values.code}&state=${values.state}` },
      correlationId: 'c1',
    });
    await settle();
    expect(ofAlice.paths()).toEqual([]);
    // Then the callback: its code links the two; alice gets the redirect at once.
    recordSignInStory({ ...recorders, authserver: new TraceRecorder('authserver') }, ALICE, values, 300);
    await until(() => ofAlice.paths().includes('authserver /auth/…'));
    expect(ofAlice.paths()[0]).toBe('authserver /auth/…');
  });

  it('keeps many learners apart: each of 30 parallel subscribers sees exactly their own session', async () => {
    const { feed, recorders } = await startLab();
    const users = Array.from(
      { length: 30 },
      (_, index): StoryUser => ({ sub: `user${index}`, name: `User ${index} Name`, email: `user${index}@example.test`, note: `note-of-user-${index}-` }),
    );
    const sessions = users.map((user, index) => recordSignInStory(recorders, user, newSignInValues(), 4_000 - index * 5));
    const watchers = await Promise.all(sessions.map((values) => watch(feed, learner(values.sessionId))));
    await until(() => watchers.every((watcher) => watcher.events().length >= STORY_PATHS.length));
    await settle();
    watchers.forEach((watcher, index) => {
      expect(watcher.paths()).toEqual(STORY_PATHS);
      const others = users.filter((_, other) => other !== index);
      expect(others.filter((user) => watcher.text().includes(user.note) || watcher.text().includes(user.email))).toEqual([]);
      expect(watcher.text()).toContain(users[index]!.note);
    });
  });
});
