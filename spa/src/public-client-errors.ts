import * as oauth from 'oauth4webapi';
import { BffError } from './bff-client.ts';
import { clearTokens } from './token-storage.ts';

/**
 * The public client's failures, as the app's error type (`BffError`, the same as in BFF mode, so
 * the panels handle both alike). OAuth `error` codes are kept as they are on the wire.
 */

/** The tokens are useless now: forget them, and say "signed out" (401) so the app shows the sign-in view. */
export function signedOut(message: string): never {
  clearTokens();
  throw new BffError(401, 'not_authenticated', message);
}

export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

export function apiError(method: string, path: string, response: Response, body: unknown): BffError {
  const { error, message } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return new BffError(
    response.status,
    typeof error === 'string' ? error : 'unexpected_response',
    typeof message === 'string' ? message : `${method} ${path} answered ${response.status} ${response.statusText}.`,
  );
}

/** oauth4webapi's errors, in the app's error type: the OAuth `error` code is kept as it is on the wire. */
export function toAppError(error: unknown, what: string): BffError {
  if (error instanceof BffError) return error;
  if (error instanceof oauth.ResponseBodyError) return new BffError(error.status, error.error, error.error_description ?? `${what} failed: ${error.error}`);
  if (error instanceof oauth.AuthorizationResponseError)
    return new BffError(400, error.error, error.error_description ?? `The authorization server answered ${error.error}.`);
  if (error instanceof oauth.OperationProcessingError) return new BffError(0, error.code ?? 'invalid_response', `${what} failed: ${error.message}`);
  // A fetch that got no answer: the server is down, or the CSP's connect-src or CORS blocked it.
  if (error instanceof TypeError) return new BffError(0, 'network_error', `${what} got no answer: ${error.message}`);
  return new BffError(0, 'client_error', `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
}
