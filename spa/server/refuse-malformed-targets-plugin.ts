import { discardRestOfBody, isWellEncoded } from '@lab/kit';
import type { Plugin } from 'vite';
import { onEveryServer } from './on-every-server.ts';
import { sendJson } from './http-json.ts';

/** Longer request targets are refused: no path of the app is anywhere near this long. */
const MAX_TARGET_LENGTH = 4_096;

/**
 * The app's origin refuses a request target that no page or route can have, before Vite looks at
 * it: a malformed percent-encoding (Vite's HTML middleware decodes `….html` paths with
 * `decodeURIComponent` and its rejection would end the process), a backslash (Vite fails on it
 * with a 500 and its stack in the page), or an absurd length (ENAMETOOLONG, another 500). The same
 * JSON errors as the BFF's, so a client sees one behaviour on the whole origin.
 *
 * It also reads and discards a body sent where nothing reads one (the app's pages and modules): Vite
 * answers without reading it, and closing a connection with unread bytes resets the answer away
 * (RFC 9112 §9.6). `/bff/*` and `/api/*` stream theirs to the BFF, and `/_lab/*` reads its own.
 */
export function refuseMalformedTargetsPlugin(forwardedPrefixes: readonly string[], bodyReaders: readonly string[]): Plugin {
  return onEveryServer('lab:refuse-malformed-targets', (server) => {
    server.middlewares.use(function refuseMalformedTarget(req, res, next) {
      const target = req.url ?? '/';
      if (target.length > MAX_TARGET_LENGTH) {
        sendJson(res, 414, { error: 'uri_too_long', message: `The request target is longer than ${MAX_TARGET_LENGTH} characters.` });
        return;
      }
      const queryAt = target.indexOf('?');
      const path = queryAt < 0 ? target : target.slice(0, queryAt);
      const query = queryAt < 0 ? '' : target.slice(queryAt + 1);
      if (!isWellEncoded(path) || !isWellEncoded(query)) {
        sendJson(res, 400, {
          error: 'invalid_url_encoding',
          message: 'The URL holds a malformed percent-encoding (a "%" must start a valid UTF-8 byte sequence such as %2F).',
        });
        return;
      }
      // `/bff/*` and `/api/*` are the BFF's to judge (it answers 400 invalid_api_path, as the lab teaches).
      const forwarded = forwardedPrefixes.some((prefix) => path.startsWith(prefix));
      if (!path.startsWith('/') || (path.includes('\\') && !forwarded)) {
        sendJson(res, 400, { error: 'invalid_path', message: 'The path must start with "/" and hold no backslash.' });
        return;
      }
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      if (!hasBody || bodyReaders.some((prefix) => path.startsWith(prefix))) {
        next();
        return;
      }
      void discardRestOfBody(req).then(() => next());
    });
  });
}
