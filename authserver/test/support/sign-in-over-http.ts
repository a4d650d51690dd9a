import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { CookieJar as BrowserCookieJar } from '../../../e2e/support/cookie-jar.ts';
import { BFF_CLIENT_SECRET } from './start-authserver.ts';

/** What the BFF sends (bff/src/oidc-client.ts), to the BFF's registered redirect URI. */
export const REDIRECT_URI = 'http://localhost:5173/bff/callback';
const BASIC = `Basic ${Buffer.from(`bff:${BFF_CLIENT_SECRET}`).toString('base64')}`;

/**
 * A browser's cookies for the one server a test talks to (the authorization server, or the BFF in
 * bff/test): the lab's cookie jar (e2e/support/cookie-jar.ts, `Set-Cookie` parsed by undici,
 * expired cookies removed), without a URL at each call.
 */
export class CookieJar {
  readonly #jar = new BrowserCookieJar();
  readonly #server: string;

  constructor(server: string) {
    this.#server = server;
  }

  /** Stores the cookies `response` sets; returns it. */
  keep(response: Response): Response {
    this.#jar.remember(this.#server, response.headers.getSetCookie());
    return response;
  }

  /** The `Cookie` header for the next request. */
  header(): string {
    return this.#jar.headerFor(this.#server);
  }
}

/** The authorization request (RFC 6749 §4.1.1) as the BFF makes it, with a fresh PKCE pair. */
export function authorizationRequest(extra: Record<string, string> = {}): { query: URLSearchParams; codeVerifier: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: 'bff',
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email notes:read notes:write',
    resource: 'http://localhost:4001',
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { query, codeVerifier };
}

/**
 * A whole sign-in as a browser and the BFF make it: /auth, the login page, consent, the code
 * redeemed at the token endpoint. Returns the browser's cookies and the refresh token.
 */
export async function signIn(url: string, username: string, password: string): Promise<{ jar: CookieJar; refreshToken: string }> {
  const jar = new CookieJar(url);
  const { query, codeVerifier } = authorizationRequest();
  const go = async (target: string, init: RequestInit = {}): Promise<string> => {
    const response = jar.keep(await fetch(new URL(target, url), { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } }));
    const location = response.headers.get('location');
    if (response.status !== 303 || location === null) throw new Error(`sign-in stopped at ${target}: ${response.status}`);
    return location;
  };
  const form = (body: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });

  const loginPage = await go(`/auth?${query}`);
  const resume = await go(`${loginPage}/login`, form({ username, password }));
  const consentPage = await go(resume);
  const resumeAgain = await go(`${consentPage}/confirm`, form({}));
  const callback = new URL(await go(resumeAgain));
  const code = callback.searchParams.get('code');
  if (callback.origin + callback.pathname !== REDIRECT_URI || code === null) throw new Error('sign-in did not reach the callback with a code');

  const tokens = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: codeVerifier }, url);
  if (tokens.status !== 200) throw new Error(`code redemption answered ${tokens.status}`);
  const { refresh_token: refreshToken } = (await tokens.json()) as { refresh_token?: string };
  if (typeof refreshToken !== 'string') throw new Error('no refresh token');
  return { jar, refreshToken };
}

/**
 * A token request authenticated as the BFF (RFC 6749 §2.3.1, HTTP Basic), with a DPoP proof as the
 * BFF sends one (RFC 9449 §4: the bff client is registered `dpop_bound_access_tokens`); `dpop: false`
 * leaves it out.
 */
export async function postToken(body: Record<string, string>, url: string, { dpop = true }: { dpop?: boolean } = {}): Promise<Response> {
  return fetch(`${url}/token`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop: await dpopProof('POST', `${url}/token`) } : {}) },
    body: new URLSearchParams(body),
  });
}

let dpopKey: Promise<{ privateKey: CryptoKey; jwk: JWK }> | undefined;

/** A DPoP proof (RFC 9449 §4.2) for one request, signed with this test's own key. */
export async function dpopProof(htm: string, htu: string, accessToken?: string): Promise<string> {
  dpopKey ??= generateKeyPair('ES256').then(async ({ privateKey, publicKey }) => ({ privateKey, jwk: await exportJWK(publicKey) }));
  const { privateKey, jwk } = await dpopKey;
  const ath = accessToken === undefined ? undefined : createHash('sha256').update(accessToken).digest('base64url');
  return new SignJWT({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(ath ? { ath } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .sign(privateKey);
}

/** Sends `count` anonymous authorization requests, `lanes` at a time; returns how many got each status. */
export async function startAnonymousSignIns(url: string, count: number, lanes = 25): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const response = await fetch(`${url}/auth?${authorizationRequest().query}`, { redirect: 'manual' });
      await response.body?.cancel();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return statuses;
}
