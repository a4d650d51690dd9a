import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import { HttpError } from '@lab/kit';
import { LAB_MODES, XSS_PAYLOAD_NAMES, isLabMode, isXssPayloadName, type DefenceSwitches, type LabMode, type XssPayloadName } from '@lab/shared';
import { labControlMiddleware } from './lab-control.ts';
import { TraceRecorder } from './trace.ts';

/** The app origin's settings the lab may change (the SPA server's `SpaSettings`). */
export interface AppOriginSettings {
  readonly defences: DefenceSwitches;
  xss: XssPayloadName | null;
  mode: LabMode;
}

/**
 * LAB ONLY: the control routes of the app's origin (the SPA's Vite server, which has no Koa app
 * of its own), the same routes as every other service's: `GET`/`PUT /_lab/settings`
 * (`{ weakened?, xss?, mode? }`), and `GET`/`DELETE /_lab/trace`, always empty (the BFF records the
 * app's `/bff/*` and `/api/*` calls; the origin only serves files). A Node request handler for
 * `/_lab/*`; without the run's key every such path is a JSON 404.
 */
export function createAppOriginControl(
  key: string | undefined,
  settings: AppOriginSettings,
  log: { warn(line: string): void; info(line: string): void },
): (req: IncomingMessage, res: ServerResponse) => void {
  const app = new Koa();
  app.on('error', () => undefined); // answered as JSON by the control routes' own error handling
  app.use(
    labControlMiddleware({
      key,
      defences: settings.defences,
      recorder: new TraceRecorder('spa'),
      extra: {
        // The origin records no trace: there is nothing to show in full.
        read: () => ({ xss: settings.xss, mode: settings.mode, fullView: false }),
        apply: (patch) => {
          // Both checked before either changes.
          if (patch.xss !== undefined && patch.xss !== null && !isXssPayloadName(patch.xss)) {
            throw new HttpError(400, 'invalid_setting', `xss must be null or one of: ${XSS_PAYLOAD_NAMES.join(', ')}.`);
          }
          if (patch.mode !== undefined && !isLabMode(patch.mode)) throw new HttpError(400, 'invalid_setting', `mode must be one of: ${LAB_MODES.join(', ')}.`);
          if (patch.xss !== undefined && patch.xss !== settings.xss) {
            settings.xss = patch.xss as XssPayloadName | null;
            if (settings.xss) log.warn(`spa: LAB XSS HOOK ON: every page now loads the attacker's "${settings.xss}" payload`);
            else log.info('spa: lab XSS hook off');
          }
          if (patch.mode !== undefined && patch.mode !== settings.mode) {
            settings.mode = patch.mode as LabMode;
            if (settings.mode === 'public-client') log.warn('spa: ANTI-PATTERN MODE: the app now runs as a public client and keeps tokens in localStorage');
            else log.info('spa: mode bff: the BFF keeps the tokens');
          }
        },
      },
    }),
  );
  app.use((ctx) => {
    ctx.status = 404;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'not_found', message: `Nothing at ${ctx.method} ${ctx.path}.` };
  });
  return app.callback();
}
