import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DefenceSwitches } from '@lab/shared';
import { instrumentAuthServer, localKeySetOf } from '@lab/wing';
import { createApp } from '../src/app.ts';
import { createRunSettings } from '../src/run-settings.ts';
import { loadConfig } from '../src/config.ts';
import { generateSigningJwk } from '../src/signing-key.ts';
import { BFF_CLIENT_SECRET } from './support/start-authserver.ts';
import { postToken, signIn } from './support/sign-in-over-http.ts';

// Prerequisites: the real authorization server on a free port that is its issuer's, with the lab's
// instruments (the control routes behind a key), as main.ts attaches them. A test plays the BFF over
// HTTP (HTTP Basic, DPoP proofs). `Date` is faked where a test moves time, as the lab's clock does.
const LAB_KEY = 'authserver-test-key-0123456789';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const config = loadConfig({ BFF_CLIENT_SECRET, LAB_CONTROL_KEY: LAB_KEY, AUTHSERVER_PORT: String(port), API_PORT: '4001' });
  const signingJwk = await generateSigningJwk();
  const defences = new DefenceSwitches();
  const settings = createRunSettings(config);
  const lab = instrumentAuthServer({ ...config, defences, settings, jwtKeys: localKeySetOf(signingJwk) });
  server.on('request', createApp(config, { signingJwk, defences, settings, hook: lab.hook }).callback());
  url = config.issuer;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
afterEach(() => {
  vi.useRealTimers();
});

async function settings(method: 'GET' | 'PUT' = 'GET', patch?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/_lab/settings`, {
    method,
    headers: { 'X-Lab-Key': LAB_KEY, 'Content-Type': 'application/json' },
    body: patch === undefined ? undefined : JSON.stringify(patch),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const REFRESH_TTL_REFUSED = {
  status: 400,
  body: { error: 'invalid_setting', message: 'refreshTokenTtlSeconds must be a whole number of seconds from 60 to 2592000.' },
};

describe('PUT /_lab/settings { refreshTokenTtlSeconds }', () => {
  it('reports the lifetimes: access and refresh token (run settings), session (fixed)', async () => {
    expect((await settings()).body).toMatchObject({ accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 28_800, sessionTtlSeconds: 28_800 });
  });

  it('refuses anything but a whole number of seconds from 60 to 30 days: 400 invalid_setting', async () => {
    for (const value of [59, 2_592_001, 600.5, -600, 0, '600', null, true, [], {}, 1e21]) {
      expect(await settings('PUT', { refreshTokenTtlSeconds: value })).toEqual(REFRESH_TTL_REFUSED);
    }
    expect((await settings()).body.refreshTokenTtlSeconds).toBe(28_800);
  });

  it('changes nothing when one member of the patch is refused', async () => {
    expect(await settings('PUT', { accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 'soon' })).toEqual(REFRESH_TTL_REFUSED);
    expect((await settings()).body).toMatchObject({ accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 28_800 });
  });

  it('takes sessionTtlSeconds back unchanged (a run restores what it read), and refuses to change it: it is fixed', async () => {
    expect((await settings('PUT', { sessionTtlSeconds: 28_800 })).status).toBe(200);
    expect(await settings('PUT', { sessionTtlSeconds: 60, refreshTokenTtlSeconds: 600 })).toEqual({
      status: 400,
      body: {
        error: 'invalid_setting',
        message: "sessionTtlSeconds is fixed for this run (28800); it is set at start by the authorization server's ttl.Session.",
      },
    });
    expect((await settings()).body.refreshTokenTtlSeconds).toBe(28_800);
  });
});

describe('a refresh token lives refreshTokenTtlSeconds; each rotated one gets the whole lifetime again', () => {
  it('refreshes at 599 s, again 599 s later with the rotated token (1198 s after the sign-in), then not 600 s after that: invalid_grant', async () => {
    expect((await settings('PUT', { refreshTokenTtlSeconds: 600 })).status).toBe(200);
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    try {
      const { refreshToken } = await signIn(url, 'alice', 'alice');
      const refresh = async (token: string) => {
        const response = await postToken({ grant_type: 'refresh_token', refresh_token: token }, url);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      vi.setSystemTime(t0 + 599_000);
      const first = await refresh(refreshToken);
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(refreshToken);
      vi.setSystemTime(t0 + 1_198_000);
      const second = await refresh(String(first.body.refresh_token));
      expect(second.status).toBe(200);
      vi.setSystemTime(t0 + 1_798_000);
      expect(await refresh(String(second.body.refresh_token))).toEqual({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'grant request is invalid' },
      });
    } finally {
      vi.useRealTimers();
      await settings('PUT', { refreshTokenTtlSeconds: 28_800 });
    }
  });
});
