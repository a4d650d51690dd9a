import type Router from '@koa/router';
import type { BffConfig } from '../config.ts';

/**
 * LAB ONLY, behind the control key: `GET /_lab/store` says where this BFF keeps its sessions and
 * which instances serve the app, so the operations scenarios can find the Redis they freeze and
 * the instance they kill. A real BFF has no such route.
 */
export function addStoreInfo(router: Router, config: Pick<BffConfig, 'store' | 'instanceName' | 'siblingUrls' | 'port'>): void {
  router.get('/store', (ctx) => {
    const own = `http://127.0.0.1:${config.port}`;
    ctx.body = {
      kind: config.store.kind,
      ...(config.store.kind === 'redis' ? { url: config.store.url } : {}),
      instance: config.instanceName ?? 'bff',
      instances: [own, ...config.siblingUrls].sort(),
    };
  });
}
