import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { handleErrors } from '@lab/kit';
import { DefenceSwitches, type JwtSignatureCheck, type ServiceName, type TraceEvent } from '@lab/shared';
import { TraceRecorder, createLabClock, createLabControlRoutes } from '../../src/index.ts';
import { EVERY_SESSION, TraceFeed } from '../../src/xray/trace-feed.ts';

const KEY = 'test-control-key';
const servers: Server[] = [];
const feeds: TraceFeed[] = [];

afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.close();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** A lab service that answers `/_lab/trace` and `/_lab/settings`, as the real ones do, on port 0. */
async function startPeer(service: ServiceName): Promise<{ recorder: TraceRecorder; url: string }> {
  const recorder = new TraceRecorder(service);
  const app = new Koa();
  app.use(handleErrors(() => undefined));
  app.use(createLabControlRoutes({ key: KEY, defences: new DefenceSwitches([]), recorder }).routes());
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { recorder, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function newFeed(recorder: TraceRecorder, peers: Array<{ service: ServiceName; url: string }>): TraceFeed {
  const feed = new TraceFeed({ recorder, peers, controlKey: KEY, releaseIntervalMs: 20, reconnectMs: 100, settleMs: 120 });
  feeds.push(feed);
  return feed;
}

/** An inbound exchange of `recorder`'s service at `path`, now. */
function exchangeAt(recorder: TraceRecorder, path: string): Parameters<TraceRecorder['record']>[0] {
  return {
    time: new Date().toISOString(),
    direction: 'inbound',
    channel: 'front',
    from: 'user-agent',
    to: recorder.service as TraceEvent['to'],
    method: 'GET',
    url: `http://127.0.0.1${path}`,
    status: 200,
    durationMs: 0,
    requestHeaders: {},
    responseHeaders: {},
    correlationId: path,
  };
}

/** Records an exchange that started `startedMsAgo` ago and took `durationMs`. */
function recordExchange(recorder: TraceRecorder, path: string, startedMsAgo: number, durationMs = 5, extra: { responseBody?: string } = {}): TraceEvent {
  return recorder.record({ ...exchangeAt(recorder, path), time: new Date(Date.now() - startedMsAgo).toISOString(), durationMs, ...extra })!;
}

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('TraceFeed', () => {
  it("merges the BFF's own events and a peer's, in the order they started", async () => {
    const bff = new TraceRecorder('bff');
    const authserver = await startPeer('authserver');
    const feed = newFeed(bff, [{ service: 'authserver', url: authserver.url }]);
    const received: string[] = [];
    await feed.subscribe((event) => received.push(new URL(event.url).pathname), EVERY_SESSION);

    // The BFF's event is recorded first, but the authorization server's started earlier.
    recordExchange(bff, '/bff/callback', 40);
    recordExchange(authserver.recorder, '/auth', 90);
    recordExchange(bff, '/bff/user', 10);

    await until(() => received.length === 3);
    expect(received).toEqual(['/auth', '/bff/callback', '/bff/user']);
  });

  it('gives a new subscriber the recent events first, oldest first', async () => {
    const bff = new TraceRecorder('bff');
    const api = await startPeer('resource-api');
    recordExchange(api.recorder, '/notes', 2_000);
    recordExchange(bff, '/api/notes', 2_010);
    const feed = newFeed(bff, [{ service: 'resource-api', url: api.url }]);

    const { backlog } = await feed.subscribe(() => undefined, EVERY_SESSION);
    expect(backlog.map((event) => `${event.service} ${new URL(event.url).pathname}`)).toEqual(['bff /api/notes', 'resource-api /notes']);
  });

  it('holds a back-channel call until the BFF request that caused it is recorded, so the enclosing one goes first', async () => {
    const bff = new TraceRecorder('bff');
    const authserver = await startPeer('authserver');
    const feed = newFeed(bff, [{ service: 'authserver', url: authserver.url }]);
    const received: string[] = [];
    await feed.subscribe((event) => received.push(new URL(event.url).pathname), EVERY_SESSION);

    const done = feed.requestStarted();
    await new Promise((resolve) => setTimeout(resolve, 5));
    recordExchange(authserver.recorder, '/token', 0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(received).toEqual([]);
    recordExchange(bff, '/bff/callback', 410, 410);
    done();
    await until(() => received.length === 2);
    expect(received).toEqual(['/bff/callback', '/token']);
  });

  it("sends the events of a held lab time, whose Date stands still, once they settle on the time the BFF's clock gives it", async () => {
    // What the BFF gives its feed (instrument-bff.ts): the lab's time, plus for how long it has been held.
    const clock = createLabClock(() => Date.now(), 3_600_000);
    const bff = new TraceRecorder('bff');
    const authserver = await startPeer('authserver');
    const feed = new TraceFeed({
      recorder: bff,
      peers: [{ service: 'authserver', url: authserver.url }],
      controlKey: KEY,
      releaseIntervalMs: 20,
      settleMs: 120,
      now: () => clock.now() + clock.heldForMs,
    });
    feeds.push(feed);
    const received: string[] = [];
    await feed.subscribe((event) => received.push(new URL(event.url).pathname), EVERY_SESSION);

    // The last exchanges of a step, then the hold: every one of them carries the held time.
    expect(clock.hold()).toBe(true);
    const at = (recorder: TraceRecorder, path: string) =>
      recorder.record({ ...exchangeAt(recorder, path), time: new Date(clock.now()).toISOString(), durationMs: 0 });
    at(bff, '/api/notes');
    at(authserver.recorder, '/token');
    await until(() => received.length === 2);
    expect(received.sort()).toEqual(['/api/notes', '/token']);
    expect(clock.held).toBe(true);
  });

  it("sends a peer's event again when the signature of its JWT has been checked", async () => {
    const bff = new TraceRecorder('bff');
    const authserver = await startPeer('authserver');
    let release: (check: JwtSignatureCheck) => void = () => undefined;
    authserver.recorder.verifier = () => new Promise((resolve) => (release = resolve));
    const feed = newFeed(bff, [{ service: 'authserver', url: authserver.url }]);
    const received: Array<[string, string]> = [];
    await feed.subscribe((event) => received.push([event.id, event.jwts?.[0]?.signature ?? 'none']), EVERY_SESSION);

    const token = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.';
    const event = recordExchange(authserver.recorder, '/token', 0, 5, { responseBody: JSON.stringify({ id_token: token }) });
    await until(() => received.length === 1);
    release('verified');
    await until(() => received.length === 2);
    expect(received).toEqual([
      [event.id, 'unchecked'],
      [event.id, 'verified'],
    ]);
  });

  it('says the full view is on when any service has it on', async () => {
    const bff = new TraceRecorder('bff');
    const attacker = await startPeer('attacker');
    const feed = newFeed(bff, [{ service: 'attacker', url: attacker.url }]);
    expect(await feed.fullView()).toBe(false);
    attacker.recorder.fullView = true;
    expect(await feed.fullView()).toBe(true);
  });

  it('keeps going when a peer does not answer', async () => {
    const bff = new TraceRecorder('bff');
    const feed = newFeed(bff, [{ service: 'attacker', url: 'http://127.0.0.1:9' }]);
    const received: string[] = [];
    await feed.subscribe((event) => received.push(new URL(event.url).pathname), EVERY_SESSION);
    recordExchange(bff, '/bff/user', 0);
    await until(() => received.length === 1);
    expect(received).toEqual(['/bff/user']);
  });
});
