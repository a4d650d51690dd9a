import { createAppOriginControl } from '@lab/wing';
import type { Plugin } from 'vite';
import { onEveryServer } from './on-every-server.ts';
import type { SpaSettings } from './lab-settings.ts';
import { pathOf } from './http-json.ts';

/**
 * LAB ONLY: the lab's control routes on the app's origin (`/_lab/*`), the same as every other
 * service's (`@lab/wing`), mounted as Connect middleware inside Vite. Without `LAB_CONTROL_KEY`
 * they do not exist (404), and every call must present the key in `X-Lab-Key` (401 otherwise).
 */
export function labControlPlugin(key: string | undefined, settings: SpaSettings): Plugin {
  return onEveryServer('lab:control', (server) => {
    const answer = createAppOriginControl(key, settings, {
      warn: (line) => server.config.logger.warn(line),
      info: (line) => server.config.logger.info(line),
    });
    server.middlewares.use(function answerLabControl(req, res, next) {
      const path = pathOf(req);
      if (path !== '/_lab' && !path.startsWith('/_lab/')) return next();
      answer(req, res);
    });
  });
}
