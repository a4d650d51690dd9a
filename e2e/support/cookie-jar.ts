import { parseCookie, type Cookie } from 'undici';

interface StoredCookie {
  readonly value: string;
  /** When the cookie expires (ms since the epoch), or undefined for a session cookie. */
  readonly expiresAt: number | undefined;
}

/**
 * Cookies per host name, as a browser keeps host-only cookies: whatever the port (RFC 6265 §8.5),
 * so the BFF's cookies (`localhost`) and the authorization server's (`127.0.0.1`) stay apart.
 * `Set-Cookie` lines are parsed by undici (RFC 6265bis §5.6); what is kept is enough for the lab:
 * one cookie per name and host, sent to every path of its host (`Path` and `Domain` are not
 * honoured: no cookie of the lab sets `Domain`, and the authorization server reads its
 * path-scoped interaction cookies only on their paths).
 */
export class CookieJar {
  readonly #hosts = new Map<string, Map<string, StoredCookie>>();

  /**
   * Stores the cookies of the `Set-Cookie` lines `url` answered with. A cookie that is already
   * expired (`Max-Age=0`, an `Expires` in the past) removes the one of that name: that is how a
   * server deletes a cookie (RFC 6265 §3.1).
   */
  remember(url: string, setCookies: Iterable<string>): void {
    const host = new URL(url).hostname;
    const cookies = this.#hosts.get(host) ?? new Map<string, StoredCookie>();
    const now = Date.now();
    for (const line of setCookies) {
      const cookie = parseCookie(line);
      if (!cookie?.name) continue;
      const expiresAt = expiryOf(cookie, now);
      if (expiresAt !== undefined && expiresAt <= now) cookies.delete(cookie.name);
      else cookies.set(cookie.name, { value: cookie.value, expiresAt });
    }
    this.#hosts.set(host, cookies);
  }

  /** The `Cookie` header for a request to `url`: the cookies of its host that have not expired. */
  headerFor(url: string): string {
    return [...this.#live(url)].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }

  /** The value of the cookie `name` sent to `url`, if any. */
  valueFor(url: string, name: string): string | undefined {
    return new Map(this.#live(url)).get(name)?.value;
  }

  /** Takes `other`'s cookies for `url`'s host, as if this browser had been sent them (a session copied to a new browser). */
  copyFrom(other: CookieJar, url: string): void {
    const host = new URL(url).hostname;
    const cookies = this.#hosts.get(host) ?? new Map<string, StoredCookie>();
    for (const [name, cookie] of other.#live(url)) cookies.set(name, cookie);
    this.#hosts.set(host, cookies);
  }

  *#live(url: string): Generator<[string, StoredCookie]> {
    const now = Date.now();
    for (const entry of this.#hosts.get(new URL(url).hostname) ?? []) {
      if (entry[1].expiresAt === undefined || entry[1].expiresAt > now) yield entry;
    }
  }
}

/** When a cookie expires: `Max-Age` wins over `Expires`; an `Expires` that is not a date is ignored (RFC 6265 §5.3 step 3). */
function expiryOf(cookie: Cookie, now: number): number | undefined {
  if (cookie.maxAge !== undefined) return now + cookie.maxAge * 1000;
  const expires = cookie.expires === undefined ? Number.NaN : new Date(cookie.expires).getTime();
  return Number.isNaN(expires) ? undefined : expires;
}
