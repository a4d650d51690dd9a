/** Small, pure helpers of the X-ray: parameters, cookies, bodies and dates as a learner reads them. */

/** The query (and fragment) parameters of a URL, in order; `where` says which part. */
export function paramsOf(url: string): Array<{ name: string; value: string; where: 'query' | 'fragment' }> {
  const params: Array<{ name: string; value: string; where: 'query' | 'fragment' }> = [];
  const hashAt = url.indexOf('#');
  const queryAt = url.indexOf('?');
  const end = hashAt >= 0 ? hashAt : url.length;
  const add = (part: string, where: 'query' | 'fragment') => {
    for (const pair of part.split('&')) {
      if (!pair) continue;
      const [name = '', value = ''] = pair.split('=', 2);
      params.push({ name: decode(name), value: decode(value), where });
    }
  };
  if (queryAt >= 0 && queryAt < end) add(url.slice(queryAt + 1, end), 'query');
  if (hashAt >= 0) add(url.slice(hashAt + 1), 'fragment');
  return params;
}

/** The URL without its query and fragment, which the detail view lists parameter by parameter. */
export function withoutQuery(url: string): string {
  return url.split(/[?#]/)[0] ?? url;
}

export interface CookieView {
  readonly name: string;
  readonly value: string;
  readonly attributes: readonly string[];
  /** A `Set-Cookie` that deletes the cookie (an expiry in the past, `Max-Age=0`). */
  readonly removed: boolean;
}

/** `Set-Cookie` headers, as the trace joins them (`, ` between cookies), one cookie each. */
export function setCookiesOf(header: string | undefined): CookieView[] {
  if (!header) return [];
  return header.split(/,\s*(?=[^;=\s]+=)/).map((cookie) => {
    const [pair = '', ...attributes] = cookie.split(/;\s*/);
    const at = pair.indexOf('=');
    return {
      name: at >= 0 ? pair.slice(0, at) : pair,
      value: at >= 0 ? pair.slice(at + 1) : '',
      attributes,
      removed: attributes.some((attribute) => /^expires=thu, 01 jan 1970/i.test(attribute) || /^max-age=0$/i.test(attribute)),
    };
  });
}

/** A `Cookie` request header, one cookie each (no attributes: the browser sends name=value only). */
export function cookiesOf(header: string | undefined): CookieView[] {
  if (!header) return [];
  return header.split(/;\s*/).map((pair) => {
    const at = pair.indexOf('=');
    return { name: at >= 0 ? pair.slice(0, at) : pair, value: at >= 0 ? pair.slice(at + 1) : '', attributes: [], removed: false };
  });
}

export type BodyView =
  | { readonly kind: 'fields'; readonly fields: Array<{ name: string; value: string }> }
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string };

/** A recorded body: form fields listed one by one, JSON indented, anything else as it is. */
export function bodyOf(body: string): BodyView {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      return { kind: 'text', text: body };
    }
  }
  if (/^[\w.~%+-]+=[^\s]*$/.test(trimmed)) {
    return { kind: 'fields', fields: paramsOf(`?${trimmed}`).map(({ name, value }) => ({ name, value })) };
  }
  return { kind: 'text', text: body };
}

/** A NumericDate claim (seconds since 1970) as a local date and how far from now. */
export function describeNumericDate(seconds: number, now = Date.now()): string {
  const date = new Date(seconds * 1000);
  const delta = Math.round((seconds * 1000 - now) / 1000);
  const span =
    Math.abs(delta) < 120
      ? `${Math.abs(delta)} s`
      : Math.abs(delta) < 7200
        ? `${Math.round(Math.abs(delta) / 60)} min`
        : `${Math.round(Math.abs(delta) / 3600)} h`;
  const relative = delta >= 0 ? `in ${span}` : `${span} ago`;
  return `${date.toLocaleString()} (${relative})`;
}

/** `HH:MM:SS.mmm` of an ISO time, for the sequence's time column. */
export function clockOf(iso: string): string {
  const date = new Date(iso);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}
