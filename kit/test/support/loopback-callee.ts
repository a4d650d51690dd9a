import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on a free port of 127.0.0.1; returns its base URL (`http://127.0.0.1:port`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Ends the answers a test left unfinished, then every connection, then the server. */
export async function closeCallee(server: Server, unfinished: readonly ServerResponse[] = []): Promise<void> {
  for (const response of unfinished) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A URL on a loopback port where nothing listens any more (a server opened there, then closed). */
export async function refusedUrl(path: string): Promise<URL> {
  const closed = createServer();
  const base = await listenOnLoopback(closed);
  await closeCallee(closed);
  return new URL(path, base);
}
