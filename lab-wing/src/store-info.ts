import type Router from '@koa/router';
import type { LabStore } from '@lab/shared';

/** Which BFF process this is, and where it keeps its sessions: what `GET /_lab/store` shows. */
export interface BffInstanceInfo {
  /** `bff#2` when several instances serve the app (`LAB_BFF_INSTANCES`); undefined for a lone one. */
  readonly name: string | undefined;
  readonly store: LabStore;
  /** The other instances' own URLs. */
  readonly siblingUrls: readonly string[];
  readonly port: number;
}

/**
 * LAB ONLY, behind the control key: `GET /_lab/store` says where this BFF keeps its sessions and
 * which instances serve the app, so the operations scenarios can find the Redis they freeze and
 * the instance they kill. A real BFF has no such route.
 */
export function addStoreInfo(router: Router, info: BffInstanceInfo): void {
  router.get('/store', (ctx) => {
    const own = `http://127.0.0.1:${info.port}`;
    ctx.body = {
      kind: info.store.kind,
      ...(info.store.kind === 'redis' ? { url: info.store.url } : {}),
      instance: info.name ?? 'bff',
      instances: [own, ...info.siblingUrls].sort(),
    };
  });
}
