import { escapeHtml } from './escape-html.ts';

/**
 * Text that is already HTML: the output of {@link html}, or trusted constant text marked by
 * {@link rawHtml}. A page is built from these, so the type says which strings may go into a page
 * as they are; every other value is escaped on its way in. `String(value)` gives the text.
 */
export class SafeHtml {
  readonly #text: string;

  /** Build one with {@link html} or {@link rawHtml}, so every unescaped string is easy to find. */
  constructor(text: string) {
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

/**
 * What a page template takes: text and numbers (escaped), HTML (inserted as is), lists of these
 * (joined with nothing between them), and `undefined`, `null` and `false` (nothing), so that
 * `cond && html\`…\`` and `list.map((item) => html\`…\`)` read as they do in JSX.
 */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

/**
 * The template of every page a service renders. Each interpolated value is escaped by
 * {@link escapeHtml} unless it is already {@link SafeHtml}, so a forgotten call cannot leave a
 * request's value (a `username`, a `redirect_uri`, an error description) to run as markup: the
 * hand-written `${escapeHtml(value)}` it replaces was one omission away from an XSS. The escaping
 * suits element content and quoted attribute values, as in every page here; it does not make a
 * value safe inside a `<script>`, a `style`, an unquoted attribute or a `javascript:` URL.
 *
 * @example
 * ```ts
 * html`<p>Signed in as <strong>${username}</strong>.</p>${error && html`<p class="error">${error}</p>`}`
 * ```
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += toHtml(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(text);
}

/**
 * Marks text as HTML without escaping it: only for constant markup the code itself holds (a style
 * block) or markup a trusted library built with its own escaping (oidc-provider's logout form).
 * Never give it anything that came with a request, from a cookie, a query, a body or a header:
 * that is exactly the XSS {@link html} exists to prevent.
 */
export function rawHtml(text: string): SafeHtml {
  return new SafeHtml(text);
}

function toHtml(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(toHtml).join('');
  return escapeHtml(value);
}
