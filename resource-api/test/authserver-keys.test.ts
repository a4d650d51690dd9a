import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthServerKeys } from '../src/authserver-keys.ts';
import { createSigningKey, signAccessToken } from './support/tokens.ts';
import { expectInvalidToken, getNotes, readJson, startTestApi, type NotesBody, type TestApi } from './support/start-test-api.ts';

/** An authorization server's JWKS endpoint whose keys a test can swap (a restart with a new key). */
async function startJwksServer(initial: JSONWebKeySet) {
  let jwks = initial;
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`),
    publish: (next: JSONWebKeySet) => (jwks = next),
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp() {
  const before = await createSigningKey('key-before-restart');
  const jwks = await startJwksServer(before.jwks);
  const api: TestApi = await startTestApi({ getKey: createAuthServerKeys(jwks.url), config: { jwksUrl: jwks.url.href } });
  cleanups.push(
    () => api.close(),
    () => jwks.close(),
  );
  return { before, jwks, api };
}

describe('the authorization server keys (JWKS) of the resource API', () => {
  it('accepts a token signed with a new key seconds after the last fetch (the authorization server restarted): one refetch, not a 401', async () => {
    const { before, jwks, api } = await setUp();
    expect((await getNotes(api, await signAccessToken(before))).status).toBe(200);
    const after = await createSigningKey('key-after-restart');
    jwks.publish(after.jwks);

    const response = await getNotes(api, await signAccessToken(after));
    expect(response.status).toBe(200);
    expect((await readJson<NotesBody>(response)).owner).toBe('alice');
    expect(jwks.fetches()).toBe(2);
  });

  it('answers a flood of tokens with unknown keys with 401 invalid_token, fetching the keys at most once a second', async () => {
    const { before, jwks, api } = await setUp();
    expect((await getNotes(api, await signAccessToken(before))).status).toBe(200);
    const forger = await createSigningKey('mallory');
    const forged = await Promise.all(Array.from({ length: 50 }, (_, i) => signAccessToken(forger, { header: { kid: `random-${i}` } })));
    const started = Date.now();
    const responses = await Promise.all(forged.map((token) => getNotes(api, token)));
    for (const [i, response] of responses.entries())
      await expectInvalidToken(response, `no key of the authorization server matches kid random-${i} and alg RS256`);
    // The first fetch, then refetches shared by the whole flood: at most one a second.
    const elapsed = Date.now() - started;
    expect(jwks.fetches()).toBeGreaterThanOrEqual(2);
    expect(jwks.fetches()).toBeLessThanOrEqual(2 + Math.floor(elapsed / 1_000));
    expect(elapsed).toBeLessThan(5_000);
  });
});
