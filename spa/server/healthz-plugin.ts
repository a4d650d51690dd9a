import type { Plugin } from 'vite';
import { onEveryServer } from './on-every-server.ts';

/** `GET /healthz`: 200 `{"status":"ok","service":"spa"}` once the dev server listens (lab contract). */
export function healthzPlugin(): Plugin {
  return onEveryServer('lab:healthz', (server) => {
    server.middlewares.use(function answerHealthCheck(req, res, next) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/healthz') return next();
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.statusCode = 405;
        res.setHeader('Allow', 'GET, HEAD');
        res.end(JSON.stringify({ error: 'method_not_allowed', message: `${req.method} /healthz is not supported; use GET.` }));
        return;
      }
      res.statusCode = 200;
      res.end(JSON.stringify({ status: 'ok', service: 'spa' }));
    });
  });
}
