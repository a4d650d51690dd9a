import Router from '@koa/router';

export function createHealthRoutes(): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', service: 'bff' };
  });
  return router;
}
