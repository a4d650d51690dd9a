import { Router } from '@koa/router';

/** `GET /healthz`: lets the launcher know the process is up. No token, and nothing about the tokens. */
export function createHealthRouter(): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', service: 'resource-api' };
  });
  return router;
}
