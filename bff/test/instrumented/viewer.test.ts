import * as crypto from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DefenceSwitches } from '@lab/shared';
import { TraceFeed, TraceRecorder, createXrayRoutes } from '@lab/wing';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';
import { SESSION_KEYS } from '../../../lab-wing/test/xray/support/sign-in-story.ts';

// Every comparison of a secret is watched: it must go through timingSafeEqual.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const KEY = 'test-control-key-0123456789abcdef';
const servers: Server[] = [];
const feeds: TraceFeed[] = [];
const compared = vi.mocked(crypto.timingSafeEqual);

beforeEach(() => {
  compared.mockClear();
});
afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.close();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function startXray(): Promise<string> {
  const feed = new TraceFeed({ recorder: new TraceRecorder('bff'), peers: [], controlKey: KEY });
  feeds.push(feed);
  const app = new Koa();
  app.keys = [...SESSION_KEYS];
  app.use(createXrayRoutes(feed, new DefenceSwitches([]), () => undefined).routes());
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function viewOf(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${url}/bff/xray/state`, { headers: { 'X-CSRF': '1', ...headers } });
  return ((await response.json()) as { view: string }).view;
}

function lengthsCompared(): Array<[number, number]> {
  return compared.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]);
}

describe('who watches the X-ray: no timing oracle', () => {
  it('compares every presented control key in constant time, whatever its length or how much of it is right', async () => {
    const url = await startXray();
    for (const key of ['g', KEY.slice(0, 1), KEY.slice(0, -1), `${KEY}x`, 'x'.repeat(5_000)]) {
      compared.mockClear();
      expect(await viewOf(url, { 'X-Lab-Key': key })).toBe('session');
      // Digests of equal length, compared whole: how far a guess matched is not measurable.
      expect(lengthsCompared()).toEqual([[32, 32]]);
    }
    compared.mockClear();
    expect(await viewOf(url, { 'X-Lab-Key': KEY })).toBe('instructor');
    expect(lengthsCompared()).toEqual([[32, 32]]);
  });

  it("compares the instructor cookie's MAC in constant time, and refuses a session cookie signed with another key", async () => {
    const url = await startXray();
    const granted = await fetch(`${url}/bff/xray/view`, { method: 'POST', headers: { 'X-CSRF': '1', 'X-Lab-Key': KEY } });
    const cookie = granted.headers.getSetCookie()[0]!.split(';', 1)[0]!;
    compared.mockClear();
    expect(await viewOf(url, { Cookie: cookie })).toBe('instructor');
    expect(lengthsCompared()).toEqual([[43, 43]]);

    compared.mockClear();
    expect(await viewOf(url, { Cookie: `${cookie.slice(0, -2)}${cookie.endsWith('AA') ? 'BB' : 'AA'}` })).toBe('session');
    expect(lengthsCompared()).toContainEqual([43, 43]);

    // The session cookie's signature is checked by keygrip, as koa checks it (tsscmp: constant time).
    expect(await viewOf(url, { Cookie: signedSessionCookie('1f0e2d3c-4b5a-4697-8877-665544332211', 'another-key'.repeat(4)) })).toBe('session');
  });
});
