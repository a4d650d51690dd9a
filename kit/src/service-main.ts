import type { Server } from 'node:http';
import { ConfigError } from '@lab/shared';
import { answerMalformedRequests, refuseTunnels, type LogLine } from './server-edge.ts';
import { logAppErrorsOnOneLine, type ErrorEmitter } from './one-line-errors.ts';

// The edge helpers a service may need besides `listenUntilStopped` (the BFF's body drain, the app's origin).
export { answerAndClose, rawJsonAnswer, type LogLine } from './server-edge.ts';
export { DEFAULT_DRAIN_LIMITS, discardRestOfBody, type DrainLimits } from './discard-request-body.ts';

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

export interface Listener extends Partial<ErrorEmitter> {
  listen(port: number, host: string, callback: () => void): Server;
}

export interface ListenOptions {
  /** Runs on SIGTERM/SIGINT before the server closes: end what would keep it open (long-lived streams). */
  readonly beforeStop?: () => void;
  readonly log?: LogLine;
}

/**
 * Listens on `host:port`; a port that cannot be bound is one line and exit 1, not a stack trace.
 * Client mistakes at the edge (malformed requests, CONNECT, connections cut mid-answer) are
 * answered and logged on one line each (see `server-edge.ts`, `one-line-errors.ts`).
 */
export function listenUntilStopped(
  service: string,
  app: Listener,
  where: { host: string; port: number },
  onListening: () => void,
  options: ListenOptions = {},
): Server {
  const log = options.log ?? ((line: string) => console.error(line));
  // Before `listen`: Koa installs its own stack-printing listener only when there is none.
  if (app.on) logAppErrorsOnOneLine(service, app as ErrorEmitter, log);
  const server = app.listen(where.port, where.host, onListening);
  answerMalformedRequests(service, server, log);
  refuseTunnels(server);
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(`${service}: cannot listen on ${where.host}:${where.port}: ${error.code ?? error.message}`);
    process.exit(1);
  });
  const stop = () => {
    options.beforeStop?.();
    server.close(() => process.exit(0));
    // Idle keep-alive connections close at once; long-lived ones (streams) get a second to end.
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}
