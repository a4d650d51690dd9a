import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { DefenceSwitches } from '@lab/shared';
import { loadConfig } from '../../server/config.ts';
import { createOneLineLogger } from '../../server/one-line-logger.ts';
import { createViteConfig } from '../../server/vite-config.ts';

// Prerequisites: the real Vite dev server of the SPA, with its logs at level `error` (console.error
// is watched), in front of a stand-in where the BFF would be: it answers /bff/user, and it drops
// the connection of any /api/* request at once, as a BFF that crashed mid-upload would.
let upstream: Server;
let spa: ViteDevServer;
let spaPort: number;
const consoleErrors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  upstream = createHttpServer((req, res) => {
    if (req.url?.startsWith('/api/')) return void req.socket.destroy();
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not_authenticated', message: 'No session.' }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const config = loadConfig({ SPA_PORT: '15996', BFF_PORT: String((upstream.address() as AddressInfo).port) });
  const viteConfig = createViteConfig(config, { settings: { defences: new DefenceSwitches(), xss: null, mode: 'bff' }, logLevel: 'error' });
  spa = await createServer({ ...viteConfig, server: { ...viteConfig.server, port: 0, watch: null } });
  await spa.listen();
  spaPort = (spa.httpServer!.address() as AddressInfo).port;
});

afterAll(async () => {
  await spa?.close();
  await new Promise((resolve) => upstream?.close(resolve));
  consoleErrors.mockRestore();
});

/** Sends bytes exactly as written; returns what comes back until the server closes, or marks it held open. */
function sendRaw(data: string, waitMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(spaPort, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${received}<held open>`);
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => (received += `<${error.code}>`));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(data);
  });
}

function upgradeRequest(target: string, protocol?: string): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: localhost:5173\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`
  );
}

function statusAndBody(raw: string): { status: number; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) as unknown };
}

describe("a WebSocket upgrade on the app's origin", () => {
  it.each<[string, string | undefined]>([
    ['/bff/user', undefined],
    ['/api/notes', undefined],
    ['/bff/xray/stream?x=1', undefined],
    ['/', undefined],
    ['/src/lab-app.ts', undefined],
    ['/x', 'vite-hmr'],
    ['//evil.example', 'vite-hmr'],
  ])('to %s (protocol %s) is refused at once: 400 websocket_not_supported, and closed', async (target, protocol) => {
    const raw = await sendRaw(upgradeRequest(target, protocol));
    expect(raw).not.toContain('<held open>');
    expect(statusAndBody(raw)).toEqual({ status: 400, body: { error: 'websocket_not_supported', message: expect.stringContaining('No WebSocket at') } });
  });

  it('answers 1,000 parallel upgrades to /bff/* and /api/* within 10 s', async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => sendRaw(upgradeRequest(i % 2 ? `/bff/user?n=${i}` : `/api/notes?n=${i}`), 10_000)),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answers.map((raw) => raw.slice(0, 24))).toEqual(Array.from({ length: 1_000 }, () => 'HTTP/1.1 400 Bad Request'));
  });

  it("leaves Vite's own HMR socket working: vite-hmr at / switches protocols", async () => {
    const raw = await sendRaw(upgradeRequest('/', 'vite-hmr'), 1_000);
    expect(raw).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(raw).toContain('{"type":"connected"}');
  });
});

describe('POST /api/notes when the BFF drops the connection mid-upload', () => {
  /** 1 MB with `Connection: close`, the answer read once the body is sent (as a proxy or a slow client does). */
  function uploadOneMegabyte(): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(spaPort, '127.0.0.1');
      let received = '';
      socket.pause();
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', (error: NodeJS.ErrnoException) => (received += `<${error.code}>`));
      socket.on('close', () => resolve(received));
      socket.write(
        `POST /api/notes?code=must-not-be-logged HTTP/1.1\r\nHost: localhost:5173\r\nContent-Type: application/json\r\nX-CSRF: 1\r\nConnection: close\r\nContent-Length: 1048576\r\n\r\n`,
      );
      let sent = 0;
      const writeMore = (): void => {
        if (socket.destroyed) return;
        if (sent >= 1_048_576) return void socket.resume();
        sent += 65_536;
        if (socket.write(Buffer.alloc(65_536, 0x20))) setTimeout(writeMore, 1);
        else socket.once('drain', writeMore);
      };
      writeMore();
    });
  }

  it('answers 502 bff_unreachable to each of 20 uploads (the rest of the body is read first, so no reset)', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => uploadOneMegabyte()));
    for (const raw of answers) {
      expect(statusAndBody(raw)).toEqual({ status: 502, body: { error: 'bff_unreachable', message: expect.stringContaining('could not reach the BFF') } });
    }
  });

  it('logs each proxy error on one line with its code, without the query string or a stack trace', async () => {
    consoleErrors.mockClear();
    await uploadOneMegabyte();
    const lines = consoleErrors.mock.calls.map((call) => call.map(String).join(' '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/http proxy error: \/api\/notes.* \((ECONNRESET|EPIPE|ECONNREFUSED)\)$/);
    expect(lines.join('\n')).not.toMatch(/must-not-be-logged|^\s+at /m);
  });
});

describe('createOneLineLogger', () => {
  it('keeps the full output for an error without a system code (a build or plugin error)', () => {
    consoleErrors.mockClear();
    createOneLineLogger('error').error('Transform failed\n  at plugin (x.ts:1:1)', { error: new Error('Transform failed') });
    expect(String(consoleErrors.mock.calls[0]?.[0])).toContain('at plugin (x.ts:1:1)');
  });

  it('prints nothing at level silent', () => {
    consoleErrors.mockClear();
    createOneLineLogger('silent').error('http proxy error: /api/notes\nError: write EPIPE', {
      error: Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
    });
    expect(consoleErrors).not.toHaveBeenCalled();
  });
});
