/**
 * `returnTo` must be a path on the app's own origin (RFC 9700 §4.11, open redirectors).
 *
 * The rule is about what is *sent*: the value is resolved the way a browser resolves a `Location`
 * (dot segments removed, `%2e` read as a dot), and the path that comes out must itself be a local
 * path. Checking the input alone is not enough: `/..//evil.example` starts with one slash, yet its
 * resolved path `//evil.example` is a network-path reference to another host. So the answer is
 * checked once more as the `Location` it becomes: it starts with exactly one `/`, resolves to the
 * app's origin, and resolving it again changes nothing.
 *
 * Returns the normalised local path, or `undefined` when the value does not name a path here.
 */
export function toLocalPath(value: string, appOrigin: string): string | undefined {
  const resolved = resolveOnOrigin(value, appOrigin);
  if (resolved === undefined || resolveOnOrigin(resolved, appOrigin) !== resolved) return undefined;
  return resolved;
}

function resolveOnOrigin(value: string, appOrigin: string): string | undefined {
  if (!isLocalPathReference(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value, appOrigin);
  } catch {
    return undefined;
  }
  if (url.origin !== appOrigin) return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return isLocalPathReference(path) ? path : undefined;
}

/**
 * An absolute-path reference (RFC 3986 §4.2): one `/`, then not a second `/` (a network-path
 * reference, `//host`). Browsers also read `\` as `/`, and URL parsers drop tabs and newlines
 * anywhere, so any backslash or control character is refused rather than guessed about.
 */
function isLocalPathReference(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  return value.startsWith('/') && !value.startsWith('//') && !/[\\\u0000-\u001f\u007f]/.test(value);
}
