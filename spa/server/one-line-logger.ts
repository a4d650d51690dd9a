import { createLogger, type LogErrorOptions, type LogLevel, type Logger } from 'vite';

/**
 * Vite's logger, except for errors that carry a system code (EPIPE, ECONNRESET, ECONNREFUSED,
 * HPE_*): Vite's proxy prints each with its whole stack ("http proxy error: /api/notes" and ten
 * frames of Node internals). Those are about a connection, not about code to fix: one line with
 * the code instead, and without the query string, where an authorization code may travel.
 * Build and plugin errors keep Vite's full output.
 */
export function createOneLineLogger(level: LogLevel = 'info'): Logger {
  const vite = createLogger(level, { allowClearScreen: false });
  return {
    get hasWarned() {
      return vite.hasWarned;
    },
    set hasWarned(value) {
      vite.hasWarned = value;
    },
    info: (msg, options) => vite.info(msg, options),
    warn: (msg, options) => vite.warn(msg, options),
    warnOnce: (msg, options) => vite.warnOnce(msg, options),
    clearScreen: (type) => vite.clearScreen(type),
    hasErrorLogged: (error) => vite.hasErrorLogged(error),
    error(msg: string, options?: LogErrorOptions) {
      const code = (options?.error as { code?: unknown } | null | undefined)?.code;
      if (typeof code !== 'string') return vite.error(msg, options);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a query ends at the ESC of a terminal colour
      const firstLine = (msg.split('\n')[0] ?? '').replace(/\?[^\s\u001b]*/g, '');
      vite.error(`${firstLine} (${code})`, options);
    },
  };
}
