import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefenceSwitches } from '@lab/shared';
import { instrumentAuthServer, localKeySetOf } from '@lab/wing';
import { createApp } from '../src/app.ts';
import { createRunSettings } from '../src/run-settings.ts';
import { loadConfig } from '../src/config.ts';
import { generateSigningJwk } from '../src/signing-key.ts';

// Prerequisites: the real authorization server (oidc-provider with the lab's configuration) on a
// free port, in BFF mode (the default), with the lab's control routes behind a key.
const LAB_KEY = 'authserver-test-key-0123456789';
const SPA = 'http://localhost:5173';
const ATTACKER = 'http://[::1]:6660';
const config = loadConfig({ BFF_CLIENT_SECRET: 's'.repeat(40), LAB_CONTROL_KEY: LAB_KEY });
let server: Server;
let url: string;

beforeAll(async () => {
  const signingJwk = await generateSigningJwk();
  const defences = new DefenceSwitches();
  const settings = createRunSettings(config);
  // With the lab's instruments, as main.ts attaches them: the control routes switch `publicClient`.
  const lab = instrumentAuthServer({ ...config, defences, settings, jwtKeys: localKeySetOf(signingJwk) });
  const app = createApp(config, { signingJwk, defences, settings, hook: lab.hook });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function setPublicClient(publicClient: boolean): Promise<Response> {
  return fetch(`${url}/_lab/settings`, {
    method: 'PUT',
    headers: { 'X-Lab-Key': LAB_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ publicClient }),
  });
}

/** The public client's authorization request, as the SPA builds it in public-client mode. */
function authorizeAsSpaPublic(): Promise<Response> {
  const query = new URLSearchParams({
    client_id: 'spa-public',
    redirect_uri: `${SPA}/spa-callback`,
    response_type: 'code',
    scope: 'openid profile email notes:read notes:write',
    resource: 'http://localhost:4001',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'af0ifjsldkj',
  });
  return fetch(`${url}/auth?${query}`, { redirect: 'manual' });
}

/** A token request of the public client (no secret), from a browser page on `origin`. */
function redeemCodeAsSpaPublic(origin: string): Promise<Response> {
  return fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'a-code-nobody-issued',
      client_id: 'spa-public',
      redirect_uri: `${SPA}/spa-callback`,
      code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    }),
  });
}

const SWITCHED_OFF =
  'the public client spa-public is switched off: this lab runs in BFF mode, where the BFF is the only client (switch the lab to public-client mode to try the anti-pattern)';

describe('the public client spa-public in BFF mode (publicClient off, the default)', () => {
  it('is off in the settings', async () => {
    const response = await fetch(`${url}/_lab/settings`, { headers: { 'X-Lab-Key': LAB_KEY } });
    expect(await response.json()).toEqual({
      service: 'authserver',
      weakened: [],
      fullView: false,
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 28_800,
      sessionTtlSeconds: 28_800,
      publicClient: false,
      flow: 'recommended',
    });
  });

  it('gets a 400 error page for its authorization request, not a login page', async () => {
    const response = await authorizeAsSpaPublic();
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const page = await response.text();
    expect(page).toContain('<code>unauthorized_client</code>');
    expect(page).toContain(SWITCHED_OFF);
  });

  it('gets unauthorized_client at the token endpoint (RFC 6749 §5.2)', async () => {
    const response = await redeemCodeAsSpaPublic(SPA);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'unauthorized_client', error_description: SWITCHED_OFF });
  });

  it('leaves discovery working', async () => {
    const response = await fetch(`${url}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(config.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });
});

describe('the public client spa-public in public-client mode (PUT /_lab/settings { publicClient: true })', () => {
  beforeAll(async () => {
    const response = await setPublicClient(true);
    expect(await response.json()).toMatchObject({ publicClient: true });
  });
  afterAll(() => setPublicClient(false));

  it('is sent to the login page', async () => {
    const response = await authorizeAsSpaPublic();
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/interaction\/[\w-]+$/);
  });

  it("may call the token endpoint from the app's origin (CORS), and only from there", async () => {
    const fromApp = await redeemCodeAsSpaPublic(SPA);
    // The made-up code fails, but the browser may read why.
    expect(fromApp.status).toBe(400);
    expect(fromApp.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(await fromApp.json()).toEqual({ error: 'invalid_grant', error_description: 'grant request is invalid' });

    const fromAttacker = await redeemCodeAsSpaPublic(ATTACKER);
    expect(fromAttacker.status).toBe(400);
    expect(fromAttacker.headers.get('access-control-allow-origin')).toBeNull();
    expect(await fromAttacker.json()).toEqual({ error: 'invalid_request', error_description: `origin ${ATTACKER} not allowed for client: spa-public` });
  });

  it('still gives the confidential BFF client no CORS at all', async () => {
    const response = await fetch(`${url}/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: SPA,
        Authorization: `Basic ${Buffer.from(`bff:${'s'.repeat(40)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'made-up' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: `origin ${SPA} not allowed for client: bff` });
  });

  it('refuses a publicClient that is not a boolean', async () => {
    const response = await fetch(`${url}/_lab/settings`, {
      method: 'PUT',
      headers: { 'X-Lab-Key': LAB_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicClient: 'on' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_setting', message: 'publicClient must be true or false.' });
  });
});
