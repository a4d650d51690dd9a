import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ServiceName } from '@lab/shared';
import { TEST_LOG_DIR_NAME } from './support/test-ports.ts';

// Prerequisites: the whole test lab (global set-up). Nobody signs in: every request here is
// refused before any token would be used. The services' logs are read from where this file starts.
const topology = inject('topology');
const app = topology.spa.url;
const LOG_DIR = path.join(import.meta.dirname, '..', '.lab', TEST_LOG_DIR_NAME);
const KOA_SERVICES = ['bff', 'resource-api', 'authserver', 'attacker'] as const satisfies readonly ServiceName[];
const logOffsets = new Map<ServiceName, number>();

beforeAll(() => {
  for (const name of [...KOA_SERVICES, 'spa'] as const) logOffsets.set(name, statSync(path.join(LOG_DIR, `${name}.log`)).size);
});

/** What a service logged since this file started. */
function newLogOf(name: ServiceName): string {
  return readFileSync(path.join(LOG_DIR, `${name}.log`))
    .subarray(logOffsets.get(name))
    .toString('utf8');
}

interface RawExchange {
  /** Everything that came back, then `<CODE>` for a socket error, `<held open>` when nothing closed it in time. */
  readonly text: string;
  readonly status: number;
}

/**
 * Writes `head`, then `bodySize` bytes in 64 kB pieces (chunked when asked), as a proxy relays an
 * upload; reads the answer once the body is sent (or at once with `readEarly`); resolves when the
 * server closes (or the answer's head is in, with `headOnly`) or when `waitMs` passes.
 */
function exchange(
  service: ServiceName,
  head: string,
  options: { bodySize?: number; sendUpTo?: number; chunked?: boolean; readEarly?: boolean; headOnly?: boolean; waitMs?: number } = {},
): Promise<RawExchange> {
  const { bodySize = 0, sendUpTo = bodySize, chunked = false, readEarly = false, headOnly = false, waitMs = 10_000 } = options;
  return new Promise((resolve) => {
    const socket = connect(topology[service].port, topology[service].host);
    let text = '';
    let finished = false;
    const done = (suffix = '') => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const all = text + suffix;
      resolve({ text: all, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(all)?.[1] ?? 0) });
    };
    const timer = setTimeout(() => done('<held open>'), waitMs);
    if (!readEarly) socket.pause();
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (headOnly && text.includes('\r\n\r\n')) done(); // a keep-alive answer: the head is enough
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (text += `<${error.code}>`));
    socket.on('close', () => done());
    socket.write(head);
    let sent = 0;
    const writeMore = (): void => {
      if (socket.destroyed) return;
      if (sent >= sendUpTo) {
        if (chunked) socket.write('0\r\n\r\n');
        return void socket.resume();
      }
      const piece = Buffer.alloc(Math.min(65_536, sendUpTo - sent), 0x20);
      sent += piece.length;
      const flowing = chunked
        ? socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]))
        : socket.write(piece);
      if (flowing) setTimeout(writeMore, 1);
      else socket.once('drain', writeMore);
    };
    writeMore();
  });
}

function jsonBodyOf(raw: RawExchange): unknown {
  return JSON.parse(raw.text.slice(raw.text.indexOf('\r\n\r\n') + 4)) as unknown;
}

function postNotesHead(framing: string): string {
  return `POST /api/notes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-CSRF: 1\r\nConnection: close\r\n${framing}\r\n\r\n`;
}

function upgradeHead(target: string, protocol?: string): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`
  );
}

const BFF_413 = { error: 'payload_too_large', message: expect.any(String) };

describe("POST /api/notes with a body over the BFF's limit, through the app's origin", () => {
  const megabyte = JSON.stringify({ text: 'x'.repeat(1_000_000) });

  it("answers the BFF's 413 payload_too_large to 50 uploads of 1 MB, one after another (fetch)", async () => {
    const answers: { status: number; body: unknown }[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await fetch(`${app}/api/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF': '1' }, body: megabyte });
      answers.push({ status: response.status, body: await response.json() });
    }
    expect(answers).toEqual(Array.from({ length: 50 }, () => ({ status: 413, body: BFF_413 })));
  });

  it('answers 413 to 20 parallel uploads of 1 MB from a client that closes after the answer', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => exchange('spa', postNotesHead('Content-Length: 1000000'), { bodySize: 1_000_000 })));
    expect(answers.map((raw) => [raw.status, jsonBodyOf(raw)])).toEqual(Array.from({ length: 20 }, () => [413, BFF_413]));
  });

  it('answers 413 to 10 chunked uploads of 1 MB (no Content-Length)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => exchange('spa', postNotesHead('Transfer-Encoding: chunked'), { bodySize: 1_000_000, chunked: true })),
    );
    expect(answers.map((raw) => [raw.status, jsonBodyOf(raw)])).toEqual(Array.from({ length: 10 }, () => [413, BFF_413]));
  });

  it('answers 413 within 5 s when Content-Length announces 1 MB and the client sends 100 kB, then waits', async () => {
    const started = Date.now();
    const raw = await exchange('spa', postNotesHead('Content-Length: 1000000'), { bodySize: 1_000_000, sendUpTo: 100_000 });
    expect([raw.status, jsonBodyOf(raw)]).toEqual([413, BFF_413]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers a 4xx, never a 5xx or silence, when Content-Length announces less than the body', async () => {
    const raw = await exchange('spa', postNotesHead('Content-Length: 20'), { bodySize: 1_000_000, readEarly: true, waitMs: 5_000 });
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(raw.status).toBeLessThan(500);
    expect(raw.text).not.toContain('<held open>');
  });
});

describe('a WebSocket upgrade', () => {
  it("to /bff/* or /api/* on the app's origin: 1,000 in parallel, each refused at once with 400 websocket_not_supported", async () => {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => exchange('spa', upgradeHead(i % 2 ? '/bff/user' : '/api/notes'))));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(new Set(answers.map((raw) => raw.status))).toEqual(new Set([400]));
    expect(jsonBodyOf(answers[0]!)).toEqual({ error: 'websocket_not_supported', message: expect.any(String) });
  });

  it("refuses Vite's HMR protocol too: the built app the lab serves has no hot reload (the dev server's is kept: spa/test/server)", async () => {
    const raw = await exchange('spa', upgradeHead('/', 'vite-hmr'), { waitMs: 1_000 });
    expect(raw.status).toBe(400);
    expect(jsonBodyOf(raw)).toEqual({ error: 'websocket_not_supported', message: "No WebSocket at /: the app's origin speaks plain HTTP here." });
  });

  it.each(KOA_SERVICES)('straight to %s: 200 in parallel, each answered in plain HTTP within 5 s', async (service) => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => exchange(service, upgradeHead(i % 2 ? '/healthz' : '/api/notes'), { headOnly: true, waitMs: 5_000 })),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const raw of answers) {
      expect(raw.status).toBeGreaterThanOrEqual(200);
      expect(raw.status).toBeLessThan(500);
      expect(raw.status).not.toBe(101);
    }
  });
});

describe('a request line Node cannot parse', () => {
  it.each([...KOA_SERVICES, 'spa'] as const)('sent to %s is answered 400 at once', async (service) => {
    const raw = await exchange(service, 'GARBAGE\r\n\r\n', { waitMs: 5_000 });
    expect(raw.status).toBe(400);
  });

  it.each(KOA_SERVICES)('is one line in the log of %s, with its code', async (service) => {
    await expect.poll(() => newLogOf(service)).toContain(`${service}: client error HPE_INVALID_METHOD from `);
  });
});

describe("the services' logs after all of the above", () => {
  it.each([...KOA_SERVICES, 'spa'] as const)('%s: not one stack trace', (service) => {
    expect(newLogOf(service)).not.toMatch(/^\s+at /m);
  });
});
