import type { Server } from 'node:http';
import { ConfigError } from './config-error.ts';

/**
 * What every service's `main.ts` does around its app: read the configuration once (a bad value
 * prints one line naming the variable and exits 1), listen, and stop cleanly on SIGTERM/SIGINT.
 */
export function loadConfigOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${service}: ${error.message}`);
    process.exit(1);
  }
}

export interface Listener {
  listen(port: number, host: string, callback: () => void): Server;
}

/** Listens on `host:port`; a port that cannot be bound is one line and exit 1, not a stack trace. */
export function listenUntilStopped(service: string, app: Listener, where: { host: string; port: number }, onListening: () => void): Server {
  const server = app.listen(where.port, where.host, onListening);
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(`${service}: cannot listen on ${where.host}:${where.port}: ${error.code ?? error.message}`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}
