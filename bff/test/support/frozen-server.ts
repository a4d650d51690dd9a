import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A frozen party: a TCP server that accepts every connection and never answers a byte, as an
 * overloaded or hung server does. Connections are held until `close`.
 */
export async function startFrozenServer(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
