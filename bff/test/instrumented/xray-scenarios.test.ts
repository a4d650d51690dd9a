import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DefenceSwitches } from '@lab/shared';
import { instrumentBff } from '@lab/wing';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { MemorySessionStore } from '../../src/session-store.ts';
import { MemoryTokenStore } from '../../src/token-store.ts';
import { signedSessionCookie } from '../support/signed-session-cookie.ts';

const KEY = 'test-control-key-0123456789abcdef';
const SESSION_KEY = 's'.repeat(32);
const INSTRUCTOR = { 'X-Lab-Key': KEY };
const LEARNER = { Cookie: signedSessionCookie('learner-session', SESSION_KEY) };

/**
 * A stand-in for the scenario CLI (`node -e … -- <arguments>`): `--list --json` lists two
 * scenarios; `quick --progress-json` reports two steps and passes; `slow` takes 30 s.
 */
const FAKE_CLI = `
const args = process.argv.slice(1);
const say = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
if (args.includes('--list')) {
  say([{ id: 'quick', title: 'A quick one', kind: 'role' }, { id: 'slow', title: 'A slow one', kind: 'flow' }]);
} else if (args[0] === 'quick') {
  console.log('not a progress line');
  say({ event: 'step', id: 'quick', number: 1, actor: 'User Agent', action: 'signs in', look: 'the Set-Cookie' });
  say({ event: 'step', id: 'quick', number: 2, actor: 'Client: BFF', action: 'calls the API' });
  say({ event: 'end', id: 'quick', pass: false, failed: ['the notes come back'] });
  process.exitCode = 1;
} else {
  setTimeout(() => undefined, 30000);
}`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The real BFF with its instruments, the X-ray's scenario launcher running the stand-in CLI. */
async function startBff() {
  const config = loadConfig({
    BFF_CLIENT_SECRET: 'x'.repeat(32),
    BFF_SESSION_KEYS: SESSION_KEY,
    AUTHSERVER_PORT: '1',
    API_PORT: '2',
    LAB_CONTROL_KEY: KEY,
  });
  const store = new MemorySessionStore();
  const tokenStore = new MemoryTokenStore();
  const defences = new DefenceSwitches([]);
  const flow = { current: config.lab.flow };
  const logs: string[] = [];
  const lab = instrumentBff({
    ...config,
    defences,
    flow,
    stores: { sessions: store, tokens: tokenStore },
    log: (line) => logs.push(line),
    feed: { peers: [] },
    scenarios: { cli: [process.execPath, '-e', FAKE_CLI, '--'] },
  });
  const app = createApp(config, { store, tokenStore, defences, flow, hook: lab.hook, log: () => undefined });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    lab.close();
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logs };
}

const list = (url: string, headers: Record<string, string>) => fetch(`${url}/bff/xray/scenarios`, { headers });
const run = (url: string, headers: Record<string, string>, body: unknown) =>
  fetch(`${url}/bff/xray/scenarios/run`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** The run's stream until its `end` event (or 10 s): the events' names and data. */
async function readRunStream(url: string): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const response = await fetch(`${url}/bff/xray/scenarios/run/stream`, { headers: INSTRUCTOR, signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/^event: end$/m.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text
    .split('\n\n')
    .map((message) => ({ event: /^event: (.*)$/m.exec(message)?.[1], data: /^data: (.*)$/m.exec(message)?.[1] }))
    .filter((message): message is { event: string; data: string } => message.event !== undefined && message.data !== undefined)
    .map((message) => ({ event: message.event, data: JSON.parse(message.data) as Record<string, unknown> }));
}

describe("the X-ray's scenario launcher (instructor's view only)", () => {
  it('refuses a learner on all three routes: 403 instructor_view_required', async () => {
    const { url } = await startBff();
    const learners: Array<Record<string, string>> = [{}, LEARNER, { 'X-Lab-Key': `${KEY.slice(0, -1)}x` }];
    for (const headers of learners) {
      const listed = await list(url, { 'X-CSRF': '1', ...headers });
      expect(listed.status).toBe(403);
      expect(await listed.json()).toEqual({ error: 'instructor_view_required', message: "Only the instructor's view runs scenarios." });
      const started = await run(url, { 'X-CSRF': '1', ...headers }, { id: 'quick' });
      expect(started.status).toBe(403);
      expect(await started.json()).toMatchObject({ error: 'instructor_view_required' });
      const stream = await fetch(`${url}/bff/xray/scenarios/run/stream`, { headers });
      expect(stream.status).toBe(403);
      expect(await stream.json()).toMatchObject({ error: 'instructor_view_required' });
    }
  });

  it('requires X-CSRF to list and to run, even with the key: 403 csrf_header_missing', async () => {
    const { url } = await startBff();
    for (const response of [await list(url, INSTRUCTOR), await run(url, INSTRUCTOR, { id: 'quick' })]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'csrf_header_missing' });
    }
  });

  it('lists the scenarios, and refuses an id not in the list: 400 unknown_scenario', async () => {
    const { url } = await startBff();
    const listed = await list(url, { 'X-CSRF': '1', ...INSTRUCTOR });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(await listed.json()).toEqual([
      { id: 'quick', title: 'A quick one', kind: 'role' },
      { id: 'slow', title: 'A slow one', kind: 'flow' },
    ]);
    for (const id of ['quick --all', '../quick', 'QUICK', '', 42, null, ['quick']]) {
      const response = await run(url, { 'X-CSRF': '1', ...INSTRUCTOR }, { id });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'unknown_scenario' });
    }
  });

  it('runs one at a time: a second run while one runs is 409 scenario_running', async () => {
    const { url } = await startBff();
    const first = await run(url, { 'X-CSRF': '1', ...INSTRUCTOR }, { id: 'slow' });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ runId: expect.stringMatching(/^[\da-f-]{36}$/) });
    const second = await run(url, { 'X-CSRF': '1', ...INSTRUCTOR }, { id: 'quick' });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: 'scenario_running' });
  });

  it("streams a run's steps as they start and its end; a failed scenario is a result, not an error", async () => {
    const { url, logs } = await startBff();
    const started = await run(url, { 'X-CSRF': '1', ...INSTRUCTOR }, { id: 'quick' });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    expect(await readRunStream(url)).toEqual([
      { event: 'start', data: { event: 'start', runId, id: 'quick', title: 'A quick one' } },
      { event: 'step', data: { event: 'step', runId, number: 1, actor: 'User Agent', action: 'signs in', look: 'the Set-Cookie' } },
      { event: 'step', data: { event: 'step', runId, number: 2, actor: 'Client: BFF', action: 'calls the API' } },
      { event: 'end', data: { event: 'end', runId, pass: false, failed: ['the notes come back'] } },
    ]);
    expect(logs).toEqual(["bff: the X-ray's scenario run did not pass: the notes come back"]);
    // Once it has ended, the next run may start.
    await expect.poll(async () => (await run(url, { 'X-CSRF': '1', ...INSTRUCTOR }, { id: 'quick' })).status).toBe(202);
  });
});
