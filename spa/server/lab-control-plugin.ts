import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HttpError,
  LAB_KEY_HEADER,
  LAB_MODES,
  XSS_PAYLOAD_NAMES,
  checkLabKey,
  isLabMode,
  isXssPayloadName,
  parseWeakened,
  type DefenceName,
  type LabMode,
  type XssPayloadName,
} from '@lab/shared';
import type { Logger, Plugin } from 'vite';
import type { SpaSettings } from './lab-settings.ts';
import { pathOf, readJsonBody, sendError, sendJson } from './http-json.ts';

/** `GET /_lab/settings`, and the answer of `PUT /_lab/settings`. */
export interface SpaSettingsBody {
  readonly service: 'spa';
  readonly weakened: DefenceName[];
  /** Always false: the SPA server records no trace (the BFF records `/bff/*` and `/api/*`). */
  readonly fullView: false;
  readonly xss: XssPayloadName | null;
  readonly mode: LabMode;
}

/** What `PUT /_lab/settings` accepts; every member is optional, unknown members are ignored. */
interface SettingsPatch {
  weakened?: DefenceName[];
  xss?: XssPayloadName | null;
  mode?: LabMode;
}

/**
 * The lab's control routes on the app's origin, with the same contract and the same key check as
 * every other service's (`shared/src/lab-control.ts`), as Connect middleware inside Vite:
 *
 * - `GET /_lab/settings`, `PUT /_lab/settings` (`{ weakened?, xss?, mode?, fullView? }`)
 * - `GET /_lab/trace`: always empty, and `DELETE /_lab/trace`: 204.
 *
 * Not part of any real app: without `LAB_CONTROL_KEY` the routes do not exist (404), and every
 * call must present the key in `X-Lab-Key` (401 otherwise): a cross-site page cannot send it.
 */
export function labControlPlugin(key: string | undefined, settings: SpaSettings): Plugin {
  return {
    name: 'lab:control',
    configureServer(server) {
      const logger = server.config.logger;
      server.middlewares.use(function answerLabControl(req, res, next) {
        const path = pathOf(req);
        if (path !== '/_lab' && !path.startsWith('/_lab/')) return next();
        handleLabControl(req, res, path, key, settings, logger).catch((error: unknown) => {
          if (!(error instanceof HttpError)) logger.error(`spa: ${req.method} ${path} failed: ${String(error)}`);
          if (!res.headersSent) sendError(res, error);
        });
      });
    },
  };
}

async function handleLabControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  key: string | undefined,
  settings: SpaSettings,
  logger: Logger,
): Promise<void> {
  const notFound = new HttpError(404, 'not_found', `Nothing at ${req.method} ${path}.`);
  if (!key) throw notFound;
  if (!checkLabKey(headerValue(req, LAB_KEY_HEADER), key)) {
    throw new HttpError(401, 'lab_key_required', "The lab control routes need the run's key in X-Lab-Key.");
  }
  const route = `${req.method} ${path}`;
  switch (route) {
    case 'GET /_lab/settings':
      return sendJson(res, 200, readSettings(settings));
    case 'PUT /_lab/settings': {
      const patch = parseSettingsPatch(await readJsonBody(req));
      applySettings(settings, patch, logger);
      return sendJson(res, 200, readSettings(settings));
    }
    case 'GET /_lab/trace':
      // The SPA server only serves files: the BFF records the app's `/bff/*` and `/api/*` calls.
      return sendJson(res, 200, { service: 'spa', lastSeq: 0, events: [] });
    case 'DELETE /_lab/trace':
      res.setHeader('Cache-Control', 'no-store');
      res.statusCode = 204;
      res.end();
      return;
    default:
      throw notFound;
  }
}

export function readSettings(settings: SpaSettings): SpaSettingsBody {
  return { service: 'spa', weakened: settings.defences.weakened(), fullView: false, xss: settings.xss, mode: settings.mode };
}

/** Checks the whole patch before anything changes: a bad member leaves every setting as it was. */
function parseSettingsPatch(body: unknown): SettingsPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_setting', 'The settings must be a JSON object.');
  }
  const raw = body as Record<string, unknown>;
  const patch: SettingsPatch = {};
  if (raw.weakened !== undefined) patch.weakened = parseWeakened(raw.weakened);
  if (raw.xss !== undefined) {
    if (raw.xss !== null && !isXssPayloadName(raw.xss)) {
      throw new HttpError(400, 'invalid_setting', `xss must be null or one of: ${XSS_PAYLOAD_NAMES.join(', ')}.`);
    }
    patch.xss = raw.xss;
  }
  if (raw.mode !== undefined) {
    if (!isLabMode(raw.mode)) throw new HttpError(400, 'invalid_setting', `mode must be one of: ${LAB_MODES.join(', ')}.`);
    patch.mode = raw.mode;
  }
  // Accepted for the same contract as the other services; there is no trace here to show in full.
  if (raw.fullView !== undefined && typeof raw.fullView !== 'boolean') {
    throw new HttpError(400, 'invalid_setting', 'fullView must be true or false.');
  }
  return patch;
}

function applySettings(settings: SpaSettings, patch: SettingsPatch, logger: Logger): void {
  if (patch.weakened !== undefined) settings.defences.set(patch.weakened);
  if (patch.xss !== undefined && patch.xss !== settings.xss) {
    settings.xss = patch.xss;
    if (patch.xss) logger.warn(`spa: LAB XSS HOOK ON: every page now loads the attacker's "${patch.xss}" payload`);
    else logger.info('spa: lab XSS hook off');
  }
  if (patch.mode !== undefined && patch.mode !== settings.mode) {
    settings.mode = patch.mode;
    if (patch.mode === 'public-client') logger.warn('spa: ANTI-PATTERN MODE: the app now runs as a public client and keeps tokens in localStorage');
    else logger.info('spa: mode bff: the BFF keeps the tokens');
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
