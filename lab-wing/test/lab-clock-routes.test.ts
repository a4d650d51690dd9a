import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { DefenceSwitches } from '@lab/shared';
import type { LabTopology } from '@lab/shared';
import { TraceRecorder, createLabClock, holdLabTime, labControlMiddleware, moveLabTime, readLabClocks, type LabClock } from '../src/index.ts';

/**
 * `GET`/`PUT /_lab/clock` at the wire, on a clock of its own (this process's `Date` stays real):
 * the step mode's hold (`{"held": true|false}`), its refusals, and what parallel calls leave.
 */
const KEY = 'test-control-key';
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function startService(service: 'authserver' | 'bff' | 'resource-api' | 'attacker' = 'resource-api'): Promise<{ clock: LabClock; url: string }> {
  const clock = createLabClock(() => Date.now());
  const app = new Koa();
  app.use(labControlMiddleware({ key: KEY, defences: new DefenceSwitches([]), recorder: new TraceRecorder(service), clock }));
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { clock, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/_lab/clock` };
}

interface ClockAnswer {
  status: number;
  cacheControl: string | null;
  body: Record<string, unknown>;
}

async function put(
  url: string,
  body: string,
  headers: Record<string, string> = { 'X-Lab-Key': KEY, 'Content-Type': 'application/json' },
): Promise<ClockAnswer> {
  const response = await fetch(url, { method: 'PUT', headers, body });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
}

async function read(url: string): Promise<{ now: number; offsetSeconds: number; held: boolean }> {
  const body = (await (await fetch(url, { headers: { 'X-Lab-Key': KEY } })).json()) as { now: string; offsetSeconds: number; held: boolean };
  return { ...body, now: Date.parse(body.now) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PUT /_lab/clock {"held": …}', () => {
  it('holds the time where it stands (GET says held), then lets it run on from there', async () => {
    const { url } = await startService();
    expect((await put(url, '{"offsetSeconds":3600}')).status).toBe(200);
    const held = await put(url, '{"held":true}');
    expect(held.status).toBe(200);
    expect(held.cacheControl).toBe('no-store');
    expect(Object.keys(held.body).sort()).toEqual(['held', 'now', 'offsetMs', 'offsetSeconds', 'service']);
    expect(held.body).toMatchObject({ service: 'resource-api', held: true, offsetSeconds: 3600 });
    const heldAt = Date.parse(String(held.body.now));

    await pause(120);
    const still = await read(url);
    expect(still).toMatchObject({ now: heldAt, held: true });

    const released = await put(url, '{"held":false}');
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ service: 'resource-api', held: false });
    expect(Date.parse(String(released.body.now))).toBeGreaterThanOrEqual(heldAt);
    await pause(60);
    const running = await read(url);
    expect(running.held).toBe(false);
    expect(running.now - heldAt).toBeGreaterThanOrEqual(55);
    // The time it stood still is gone from the lead: about 3,600 s less what was held.
    expect(running.now - Date.now()).toBeLessThanOrEqual(3_600_000 - 115);
  });

  it('refuses to hold a time that is not ahead of real time: 409 clock_not_ahead, nothing held', async () => {
    const { url } = await startService();
    const refused = await put(url, '{"held":true}');
    expect(refused).toEqual({
      status: 409,
      cacheControl: 'no-store',
      body: {
        error: 'clock_not_ahead',
        message: "The lab's time can stand still only while it is ahead of real time (it must never fall behind it): move it forward first.",
      },
    });
    expect((await read(url)).held).toBe(false);
    // Releasing a time that runs is no mistake: nothing changes.
    expect(await put(url, '{"held":false}')).toMatchObject({ status: 200, body: { held: false, offsetSeconds: 0 } });
  });

  it('refuses a malformed body with 400 invalid_setting (or invalid_json), and changes nothing', async () => {
    const { clock, url } = await startService();
    clock.moveTo(3_600_000);
    const refusals: Array<[string, string]> = [
      ['{"held":"true"}', 'held must be true or false.'],
      ['{"held":1}', 'held must be true or false.'],
      ['{"held":null}', 'held must be true or false.'],
      ['{"held":{}}', 'held must be true or false.'],
      ['{"held":true,"offsetSeconds":7200}', 'Send either offsetSeconds (a move) or held (a hold), not both.'],
      ['{"held":false,"offsetSeconds":null}', 'Send either offsetSeconds (a move) or held (a hold), not both.'],
      ['[{"held":true}]', 'The clock change must be a JSON object: {"offsetSeconds": N} or {"held": true|false}.'],
      ['[]', 'The clock change must be a JSON object: {"offsetSeconds": N} or {"held": true|false}.'],
      ['{}', 'offsetSeconds must be a whole number of seconds from 0 to 315360000.'],
      ['{"hold":true}', 'offsetSeconds must be a whole number of seconds from 0 to 315360000.'],
    ];
    for (const [body, message] of refusals) {
      expect(await put(url, body), body).toEqual({ status: 400, cacheControl: 'no-store', body: { error: 'invalid_setting', message } });
    }
    for (const body of ['{"held":tru', '{"held":true}}', '"held"', 'true', 'null']) {
      expect(await put(url, body), body).toEqual({
        status: 400,
        cacheControl: 'no-store',
        body: { error: 'invalid_json', message: 'The request body is not valid JSON (an object or an array).' },
      });
    }
    // Not JSON at all: the body parser leaves it, and it says nothing the clock understands.
    expect(await put(url, 'held=true', { 'X-Lab-Key': KEY, 'Content-Type': 'application/x-www-form-urlencoded' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_setting' },
    });
    const tooLong = await put(url, JSON.stringify({ held: true, padding: 'x'.repeat(2_000) }));
    expect(tooLong.status).toBe(413);
    expect(tooLong.body).toMatchObject({ error: expect.any(String) });
    expect(clock.held).toBe(false);
    expect(Math.round(clock.offsetMs / 1000)).toBe(3600);
  });

  it('answers a call without the run key (or with another) 401 lab_key_required, as every control route, and holds nothing', async () => {
    const { clock, url } = await startService();
    clock.moveTo(3_600_000);
    for (const headers of [{}, { 'X-Lab-Key': 'not-the-key' }] as Array<Record<string, string>>) {
      expect(await put(url, '{"held":true}', { ...headers, 'Content-Type': 'application/json' })).toEqual({
        status: 401,
        cacheControl: 'no-store',
        body: { error: 'lab_key_required', message: "The lab control routes need the run's key in X-Lab-Key." },
      });
    }
    expect(clock.held).toBe(false);
  });

  it('parallel holds, releases and moves leave one consistent clock that never went back nor behind real time', async () => {
    const { clock, url } = await startService();
    clock.moveTo(3_600_000);
    // Watched from inside the process, between the requests it serves.
    const readings: Array<{ lab: number; real: number }> = [];
    let watching = true;
    const watch = async () => {
      while (watching) {
        readings.push({ lab: clock.now(), real: Date.now() });
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const watcher = watch();
    const calls = Array.from({ length: 60 }, (_, index) => {
      if (index % 10 === 9) return put(url, JSON.stringify({ offsetSeconds: 3600 + index }));
      return put(url, JSON.stringify({ held: index % 2 === 0 }));
    });
    const answers = await Promise.all(calls);
    watching = false;
    await watcher;

    // Every hold and release was taken; a move either moved the time or was behind it already.
    for (const [index, answer] of answers.entries()) {
      if (index % 10 === 9) expect([200, 409], JSON.stringify(answer.body)).toContain(answer.status);
      else expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    expect(readings.length).toBeGreaterThan(10);
    for (const [index, reading] of readings.entries()) {
      expect(reading.lab).toBeGreaterThanOrEqual(reading.real);
      if (index > 0) expect(reading.lab).toBeGreaterThanOrEqual(readings[index - 1]!.lab);
    }
    // The last word wins, and the clock says what it does: held stands still, released runs.
    await put(url, '{"held":true}');
    const first = await read(url);
    await pause(40);
    const second = await read(url);
    expect(first.held && second.held).toBe(true);
    expect(second.now).toBe(first.now);
    expect(first.now).toBeGreaterThanOrEqual(Math.max(...readings.map((reading) => reading.lab)));
    await put(url, '{"held":false}');
    await pause(40);
    const third = await read(url);
    expect(third.held).toBe(false);
    expect(third.now - second.now).toBeGreaterThanOrEqual(35);
  });
});

describe('moveLabTime and holdLabTime, over every clocked service', () => {
  it('after a hold, whose offsets are no whole seconds, a move of +0 or +1 lands at or past every service: never 409', async () => {
    const services = ['authserver', 'bff', 'resource-api', 'attacker'] as const;
    const started = await Promise.all(services.map((service) => startService(service)));
    const topology = Object.fromEntries(
      services.map((service, index) => [service, { url: started[index]!.url.replace('/_lab/clock', '') }]),
    ) as unknown as LabTopology;
    for (const { clock } of started) clock.moveTo(3_600_000);
    expect((await holdLabTime(topology, KEY, true)).map((clock) => clock.held)).toEqual([true, true, true, true]);
    // 1.7 s held: the offsets end in about .3 s, which a rounded offsetSeconds would put behind them.
    await pause(1_700);
    expect((await holdLabTime(topology, KEY, false)).map((clock) => clock.held)).toEqual([false, false, false, false]);
    const before = await readLabClocks(topology, KEY);
    expect(before.some((clock) => clock.offsetMs! % 1000 !== 0)).toBe(true);

    const still = await moveLabTime(topology, KEY, 0);
    expect(still.map((clock) => clock.service)).toEqual([...services]);
    const moved = await moveLabTime(topology, KEY, 1);
    // One offset for all, a whole second, at least one second past the furthest before.
    expect(new Set(moved.map((clock) => clock.offsetMs)).size).toBe(1);
    expect(moved[0]!.offsetMs! % 1000).toBe(0);
    expect(moved[0]!.offsetMs! - Math.max(...before.map((clock) => clock.offsetMs!))).toBeGreaterThanOrEqual(1_000);
  });
});
