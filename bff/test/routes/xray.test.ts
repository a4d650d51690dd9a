import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { DefenceSwitches, TraceRecorder, createLabControlRoutes, handleErrors, type TraceEvent } from '@lab/shared';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { MemorySessionStore } from '../../src/session-store.ts';
import { TraceFeed } from '../../src/xray/trace-feed.ts';

const KEY = 'test-control-key';
const servers: Server[] = [];
const feeds: TraceFeed[] = [];

afterEach(async () => {
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

/** The real BFF (its authorization server is not running) with, or without, the X-ray's feed. */
async function startBff(options: { xray: boolean }) {
  const peer = new TraceRecorder('authserver');
  const control = new Koa();
  control.use(handleErrors(() => undefined));
  control.use(createLabControlRoutes({ key: KEY, defences: new DefenceSwitches([]), recorder: peer }).routes());
  const peerUrl = await listen(control);

  const config = loadConfig({ BFF_CLIENT_SECRET: 'x'.repeat(32), AUTHSERVER_PORT: '1', API_PORT: '2', LAB_CONTROL_KEY: KEY });
  const recorder = new TraceRecorder('bff');
  const xrayFeed = options.xray ? new TraceFeed({ recorder, peers: [{ service: 'authserver', url: peerUrl }], controlKey: KEY, pollIntervalMs: 50, settleMs: 50 }) : undefined;
  if (xrayFeed) feeds.push(xrayFeed);
  const app = createApp(config, { store: new MemorySessionStore(), defences: new DefenceSwitches([]), recorder, xrayFeed, log: () => undefined });
  return { url: await listen(app), recorder, peer };
}

function recordPeerExchange(recorder: TraceRecorder, path: string): void {
  recorder.record({
    time: new Date(Date.now() - 1_000).toISOString(),
    direction: 'inbound',
    channel: 'front',
    from: 'user-agent',
    to: 'authserver',
    method: 'GET',
    url: `http://127.0.0.1:4000${path}`,
    status: 303,
    durationMs: 4,
    requestHeaders: {},
    responseHeaders: {},
    correlationId: 'c1',
  });
}

/** Reads Server-Sent Events until `count` trace events came, then hangs up. */
async function readEvents(url: string, count: number): Promise<{ response: Response; events: TraceEvent[] }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: TraceEvent[] = [];
  const deadline = Date.now() + 5_000;
  while (events.length < count && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const messages = text.split('\n\n');
    text = messages.pop() ?? '';
    for (const message of messages) {
      const data = message.split('\n').find((line) => line.startsWith('data: '));
      if (data) events.push(JSON.parse(data.slice(6)) as TraceEvent);
    }
  }
  controller.abort();
  return { response, events };
}

describe('GET /bff/xray/stream', () => {
  it('streams every service\'s trace as Server-Sent Events, the recent ones first, not cached, without CORS', async () => {
    const bff = await startBff({ xray: true });
    recordPeerExchange(bff.peer, '/auth');
    await fetch(`${bff.url}/bff/user`, { headers: { 'X-CSRF': '1' } });

    const { response, events } = await readEvents(`${bff.url}/bff/xray/stream`, 2);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(events.map((event) => `${event.service} ${event.method} ${new URL(event.url).pathname} ${event.status}`)).toEqual([
      'authserver GET /auth 303',
      'bff GET /bff/user 401',
    ]);
  });

  it('is not itself recorded in the trace', async () => {
    const bff = await startBff({ xray: true });
    await readEvents(`${bff.url}/bff/xray/stream`, 0);
    await fetch(`${bff.url}/bff/xray/state`, { headers: { 'X-CSRF': '1' } });
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
  it('says whether any service shows secrets unshortened', async () => {
    const bff = await startBff({ xray: true });
    const call = () => fetch(`${bff.url}/bff/xray/state`, { headers: { 'X-CSRF': '1' } });
    const off = await call();
    expect(off.status).toBe(200);
    expect(off.headers.get('cache-control')).toBe('no-store');
    expect(await off.json()).toEqual({ fullView: false });
    bff.peer.fullView = true;
    expect(await (await call()).json()).toEqual({ fullView: true });
  });

  it('requires the X-CSRF header, like every /bff JSON endpoint', async () => {
    const bff = await startBff({ xray: true });
    const response = await fetch(`${bff.url}/bff/xray/state`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'csrf_header_missing', message: expect.stringContaining('X-CSRF: 1') });
  });
});
