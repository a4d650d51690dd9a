import escapeHtmlText from 'escape-html';

/**
 * The one escaping of text for HTML element content and quoted attribute values, for every page
 * the lab renders on a server (the authorization server's pages, the BFF's and the attacker's
 * pages, the scenario reports): `&`, `<`, `>`, `"` and `'`, by the `escape-html` package that
 * Koa's own redirect page uses.
 */
export function escapeHtml(value: unknown): string {
  return escapeHtmlText(String(value));
}
