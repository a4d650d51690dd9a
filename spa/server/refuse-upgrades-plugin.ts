import { posix } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerAndClose, rawJsonAnswer } from '@lab/kit';
import type { Plugin, ResolvedConfig } from 'vite';
import { onEveryServer } from './on-every-server.ts';

/**
 * Every WebSocket upgrade on the app's origin except Vite's own HMR socket (dev server only) gets an immediate
 * `400 websocket_not_supported` and is closed. Without it, an upgrade to `/bff/*` or `/api/*` (or
 * anywhere else) is left open forever: Vite's HMR listener ignores it and its proxy forwards only
 * plain HTTP (no `ws: true`), so nothing answers and the socket stays held. The BFF and the notes
 * API speak plain HTTP; a server that refuses a WebSocket handshake answers with an HTTP error
 * status (RFC 6455 §4.2.2).
 */
export function refuseUpgradesPlugin(): Plugin {
  return onEveryServer('lab:refuse-upgrades', (server) => {
    server.httpServer?.on('upgrade', function refuseUpgrade(req: IncomingMessage, socket: Duplex) {
      // Vite's own listener takes its HMR socket; the built app has none (no hot reload), so there every upgrade is refused.
      if (server.serves === 'dev' && isViteHmrUpgrade(req, server.config)) return;
      const path = (req.url ?? '/').split('?')[0];
      const body = { error: 'websocket_not_supported', message: `No WebSocket at ${path}: the app's origin speaks plain HTTP here.` };
      answerAndClose(socket, rawJsonAnswer(400, 'Bad Request', body));
    });
  });
}

/**
 * The upgrades Vite's HMR server on this HTTP server handles (its `hmrServerWsListener`): the
 * `vite-hmr` or `vite-ping` subprotocol, at the base path (plus `server.ws.path` when set).
 */
export function isViteHmrUpgrade(req: IncomingMessage, config: ResolvedConfig): boolean {
  const ws = config.server.ws;
  if (ws === false) return false;
  if (ws?.server || (ws?.port !== undefined && ws.port !== config.server.port)) return false; // HMR listens elsewhere
  const protocol = req.headers['sec-websocket-protocol'];
  if (protocol !== 'vite-hmr' && protocol !== 'vite-ping') return false;
  const hmrPath = ws?.path ? posix.join(config.base, ws.path) : config.base;
  try {
    // Built as Vite builds it, so both sides agree on which URL is the HMR path.
    return new URL(`http://example.com${req.url ?? '/'}`).pathname === hmrPath;
  } catch {
    return false;
  }
}
