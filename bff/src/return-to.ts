/**
 * `returnTo` must be a path on the app's own origin (RFC 9700 §4.11, open redirectors).
 * Browsers treat `//evil`, `/\evil` and `\\evil` as other hosts, so the check resolves the value
 * the way a browser would and compares origins, instead of guessing with string prefixes.
 * Returns the normalised local path, or `undefined` when the value points elsewhere.
 */
export function toLocalPath(value: string, appOrigin: string): string | undefined {
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return undefined;
  // Control characters (tabs, newlines) are stripped by URL parsers and hide tricks.
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value, appOrigin);
  } catch {
    return undefined;
  }
  if (url.origin !== appOrigin) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}
