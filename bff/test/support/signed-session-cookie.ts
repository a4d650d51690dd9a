import Keygrip from 'keygrip';

/**
 * The Cookie header a browser would send for the session `id`: the value and its `.sig` twin,
 * signed with keygrip as koa's cookies sign it. Test-only: lets a test start from a stored
 * session without a login through an authorization server.
 */
export function signedSessionCookie(id: string, key: string, name = 'bff_session'): string {
  return `${name}=${id}; ${name}.sig=${new Keygrip([key]).sign(`${name}=${id}`)}`;
}
