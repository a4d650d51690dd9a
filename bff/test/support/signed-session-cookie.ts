import { createHmac } from 'node:crypto';

/**
 * The Cookie header a browser would send for the session `id`: the value and its `.sig` twin,
 * signed the way koa's cookies (keygrip) sign it. Test-only: lets a test start from a stored
 * session without a login through an authorization server.
 */
export function signedSessionCookie(id: string, key: string, name = 'bff_session'): string {
  const signature = createHmac('sha1', key)
    .update(`${name}=${id}`)
    .digest('base64')
    .replace(/\/|\+|=/g, (character) => ({ '/': '_', '+': '-', '=': '' })[character] ?? '');
  return `${name}=${id}; ${name}.sig=${signature}`;
}
