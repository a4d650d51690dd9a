import net from 'node:net';

/** Resolves when `host:port` can be bound, rejects with the error code (EADDRINUSE...) when not. */
export function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
