/**
 * Small, pure helpers of the X-ray: URLs, bodies and dates as a learner reads them. Cookies and
 * URL parameters come parsed in the trace event (`cookies`, `params`), read once when recorded.
 */

import { labNow } from './lab-now.ts';

/** The URL without its query and fragment, which the detail view lists parameter by parameter. */
export function withoutQuery(url: string): string {
  return url.split(/[?#]/)[0] ?? url;
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
    return { kind: 'fields', fields: [...new URLSearchParams(trimmed)].map(([name, value]) => ({ name, value })) };
  }
  return { kind: 'text', text: body };
}

/** A NumericDate claim (seconds since 1970) as a local date and how far from now, in the lab's time. */
export function describeNumericDate(seconds: number, now = labNow()): string {
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
