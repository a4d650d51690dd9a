import { createHmac } from 'node:crypto';
import Keygrip from 'keygrip';
import type { Context } from 'koa';
import { BFF_SESSION_COOKIE as SESSION_COOKIE } from '@lab/shared';
import { linkKeyOf } from '../trace-links.ts';

/**
 * LAB ONLY: the BFF's session id as an X-ray link key, the one link that tells whose an exchange
 * is. A keyed hash (HMAC-SHA256 under a key derived from the session-signing keys, so every BFF
 * instance of a run derives the same): the trace never holds the id, and nobody without the keys
 * can compute the link of an id. Only ids the BFF can vouch for are linked: the one in a cookie
 * whose signature checks out, and the one the BFF itself sets in `Set-Cookie`.
 */
export function sessionLinkOf(sessionId: string, keys: readonly string[]): string {
  return linkKeyOf('bff-session', sessionId, linkSecretOf(keys));
}

/**
 * The link keys of the BFF session of the request `ctx` serves: the id its signed cookie
 * carried, and the id the response sets (the callback replaces the id: the two are linked
 * there). Reads, never writes: the response is left as it is.
 */
export function sessionLinksOf(ctx: Context): string[] {
  return deferSessionLinks(ctx)();
}

/**
 * The same, in two parts: what the request and response hold is read now (cheap: the cookie
 * values and `Set-Cookie` as they are), the signature check and the keyed hashes are done when
 * the trace event is first read. Nobody watching, nothing is computed.
 */
export function deferSessionLinks(ctx: Context): () => string[] {
  const keys = keysOf(ctx);
  if (!keys) return () => [];
  const value = ctx.cookies.get(SESSION_COOKIE, { signed: false });
  const signature = ctx.cookies.get(`${SESSION_COOKIE}.sig`, { signed: false });
  // From the response itself: Koa's `ctx.response.get` copies every header of the response first.
  const setCookie = ctx.res.getHeader('set-cookie');
  return () => {
    const ids = new Set<string>();
    if (value && signature && keygripOf(keys).verify(`${SESSION_COOKIE}=${value}`, signature)) ids.add(value);
    for (const cookie of [setCookie ?? []].flat().map(String)) {
      if (!cookie.startsWith(`${SESSION_COOKIE}=`)) continue;
      const id = cookie.slice(SESSION_COOKIE.length + 1).split(';', 1)[0] ?? '';
      if (id) ids.add(id);
    }
    return [...ids].map((id) => sessionLinkOf(id, keys));
  };
}

/**
 * A signed cookie's value when its `.sig` twin checks out with one of the app's keys: what koa's
 * `ctx.cookies.get(name, { signed: true })` returns, through the same libraries (the `cookies`
 * module reads both values, keygrip checks the signature in constant time). Unlike that call, a
 * bad signature does not make the response clear the `.sig` cookie: the X-ray leaves the response
 * untouched.
 */
export function readSignedCookie(ctx: Context, name: string): string | undefined {
  const keys = keysOf(ctx);
  if (!keys) return undefined;
  const value = ctx.cookies.get(name, { signed: false });
  const signature = ctx.cookies.get(`${name}.sig`, { signed: false });
  if (!value || !signature) return undefined;
  return keygripOf(keys).verify(`${name}=${value}`, signature) ? value : undefined;
}

const keygrips = new WeakMap<readonly string[], Keygrip>();

function keygripOf(keys: readonly string[]): Keygrip {
  let keygrip = keygrips.get(keys);
  if (!keygrip) {
    keygrip = new Keygrip([...keys]);
    keygrips.set(keys, keygrip);
  }
  return keygrip;
}

function keysOf(ctx: Context): readonly string[] | undefined {
  const keys = ctx.app.keys as unknown;
  return Array.isArray(keys) && keys.length > 0 && keys.every((key) => typeof key === 'string') ? (keys as string[]) : undefined;
}

const secrets = new WeakMap<readonly string[], Buffer>();

function linkSecretOf(keys: readonly string[]): Buffer {
  let secret = secrets.get(keys);
  if (!secret) {
    secret = createHmac('sha256', keys[0] ?? '')
      .update('lab x-ray: session link keys')
      .digest();
    secrets.set(keys, secret);
  }
  return secret;
}
