import { HttpUserAgent, signInOverHttp, walkToCallback } from '../http-sign-in.ts';
import { answerOf, withSettings, type Answer, type LabAccess } from './lab-client.ts';

/** The calls the BFF's tables are checked with, made as the app's scripts make them. */

export const CSRF = { 'X-CSRF': '1' } as const;
const JSON_TYPE = { 'Content-Type': 'application/json' } as const;

/** One request of `agent` (its cookies, no redirect followed), read whole. */
export async function agentCall(agent: HttpUserAgent, what: string, url: string, init: RequestInit = {}): Promise<Answer> {
  return answerOf(what, await agent.request(url, init));
}

/**
 * How to call each path a table names, as the app's scripts do: one request per method it
 * answers. A path the doc names that is not here fails the test, which then needs a line here.
 */
const CALLS_BY_PATH: Readonly<Record<string, ReadonlyArray<{ method: string; path: string; body?: string }>>> = {
  '/bff/user': [{ method: 'GET', path: '/bff/user' }],
  '/bff/logout': [{ method: 'POST', path: '/bff/logout' }],
  '/bff/code': [{ method: 'POST', path: '/bff/code', body: '{"code":"c","state":"s"}' }],
  '/bff/xray/state': [{ method: 'GET', path: '/bff/xray/state' }],
  '/bff/xray/view': [
    { method: 'POST', path: '/bff/xray/view' },
    { method: 'DELETE', path: '/bff/xray/view' },
  ],
  '/api/*': [
    { method: 'GET', path: '/api/notes' },
    { method: 'POST', path: '/api/notes', body: '{"text":"from the docs test"}' },
  ],
};

/** The paths in backticks in a cell: `/bff/user`, `/api/*`. */
export function pathsIn(text: string): string[] {
  return [...text.matchAll(/`(\/[^`\s]*)`/g)].map((match) => match[1]!);
}

/**
 * Calls each path with `agent`, with or without `X-CSRF: 1`. `/bff/code` exists only in the seed
 * flow, so it is called with the BFF's flow set to `seed` for the time it takes.
 */
export async function callPaths(lab: LabAccess, agent: HttpUserAgent, paths: readonly string[], options: { csrf: boolean }): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const path of paths) {
    const calls = CALLS_BY_PATH[path];
    if (!calls) throw new Error(`the doc names ${path}: say in CALLS_BY_PATH (e2e/support/docs/bff-calls.ts) how to call it`);
    const callAll = async () => {
      for (const { method, path: target, body } of calls) {
        const headers = { ...(options.csrf ? CSRF : {}), ...(body ? JSON_TYPE : {}) };
        const what = `${method} ${target} ${options.csrf ? 'with' : 'without'} X-CSRF`;
        answers.push(await agentCall(agent, what, `${lab.topology.bff.url}${target}`, { method, headers, body }));
      }
    };
    if (path === '/bff/code') await withSettings(lab, lab.topology.bff.url, { flow: 'seed' }, callAll);
    else await callAll();
  }
  return answers;
}

/** A browser that has started a login at the BFF and not finished it: its `state`. */
export async function startLogin(lab: LabAccess, agent: HttpUserAgent): Promise<string> {
  const login = await agent.request(`${lab.topology.spa.url}/bff/login`);
  await login.arrayBuffer();
  const state = new URL(login.headers.get('location') ?? '', lab.topology.authserver.url).searchParams.get('state');
  if (!state) throw new Error(`GET /bff/login answered ${login.status} without a state`);
  return state;
}

/**
 * A signed-in session whose refresh must fail: bob signs in with 2 s access tokens, a second
 * browser with his single sign-on session signs in silently (the same grant) and signs out, which
 * revokes the grant's refresh tokens (RFC 7009 §2.1). Once bob's access token is due, the BFF's
 * refresh gets `invalid_grant`.
 */
export async function sessionWithRevokedGrant(lab: LabAccess): Promise<HttpUserAgent> {
  const { spa, authserver } = lab.topology;
  const first = await withSettings(lab, authserver.url, { accessTokenTtlSeconds: 2 }, () => signInOverHttp(lab.topology, 'bob'));
  const second = new HttpUserAgent(spa.url);
  second.jar.copyFrom(first.agent.jar, authserver.url);
  const callback = await second.request(await walkToCallback(second, 'bob'));
  await callback.arrayBuffer();
  const logout = await second.request(`${spa.url}/bff/logout`, { method: 'POST', headers: CSRF });
  await logout.arrayBuffer();
  if (callback.status !== 302 || logout.status !== 200)
    throw new Error(`the second browser's sign-in (${callback.status}) or sign-out (${logout.status}) failed`);
  // Due a fifth of its 2 s lifetime before expiry.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return first.agent;
}
