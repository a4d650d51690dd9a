import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { LabStartError, makeLabEnv, startLab } from '../src/index.ts';
import { formatSummary } from '../src/print-summary.ts';
import { resolveTopology } from '@lab/shared';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function occupy(host: string): Promise<number> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('startLab', () => {
  it('refuses to start when a port is taken, naming the port, the service and the variable', async () => {
    const port = await occupy('127.0.0.1');
    const env = makeLabEnv({}, { BFF_PORT: String(port), SPA_PORT: '25990', API_PORT: '25991', AUTHSERVER_PORT: '25992', ATTACKER_PORT: '25993' });
    const error = await startLab({ env, services: ['bff'] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LabStartError);
    expect((error as Error).message).toBe(`Port ${port} (bff) is taken. Stop what uses it, or set BFF_PORT to another port.`);
  });
});

describe('makeLabEnv', () => {
  it('makes a fresh client secret and control key for each run, never reusing an empty one', () => {
    const first = makeLabEnv({}, { LAB_CONTROL_KEY: '' });
    const second = makeLabEnv({}, { LAB_CONTROL_KEY: '' });
    expect(first.BFF_CLIENT_SECRET).toMatch(/^[\w-]{43}$/);
    expect(first.LAB_CONTROL_KEY).not.toBe(second.LAB_CONTROL_KEY);
    expect(first.BFF_CLIENT_SECRET).not.toBe(second.BFF_CLIENT_SECRET);
  });

  it("makes one DPoP key (a private P-256 JWK) per run, for the BFF's instances to share", () => {
    const { BFF_DPOP_JWK: raw } = makeLabEnv({});
    expect(JSON.parse(raw ?? '{}')).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), d: expect.any(String) });
    expect(makeLabEnv({}).BFF_DPOP_JWK).not.toBe(raw);
  });
});

describe('formatSummary', () => {
  const topology = resolveTopology({});

  it('lists the services with their URLs and roles, and the demo users', () => {
    const text = formatSummary(topology, [], 1234, '/tmp/logs');
    expect(text).toContain('spa           http://localhost:5173');
    expect(text).toContain('authserver    http://127.0.0.1:4000');
    expect(text).toContain('alice    password: alice');
    expect(text).toContain('All defences are on');
    expect(text).not.toContain('WEAKENED');
    expect(text).toContain('OAuth BFF lab is up (ready in 1.2 s)');
  });

  it('says how much of a start was the build of the services, when there was one', () => {
    const text = formatSummary(topology, [], 2_300, '/tmp/logs', 'bff', 1_040);
    expect(text).toContain('OAuth BFF lab is up (ready in 2.3 s, of which 1.0 s building the services, once per version of their sources)');
  });

  it('says loudly which defences a weakened lab has switched off', () => {
    const text = formatSummary(topology, ['pkce', 'state'], 1234, '/tmp/logs');
    expect(text).toContain('!! WEAKENED LAB: these defences are OFF (LAB_WEAKEN)');
    expect(text).toContain('!!   pkce: PKCE (S256) required');
    expect(text).toContain('!!   state:');
    expect(text).not.toContain('ANTI-PATTERN');
  });

  it('says loudly that the app runs in the anti-pattern mode', () => {
    const text = formatSummary(topology, [], 1234, '/tmp/logs', 'public-client');
    expect(text).toContain('!! ANTI-PATTERN MODE (LAB_MODE=public-client): the SPA is a public client and keeps its tokens in localStorage.');
    // It speaks of the mode in force: the BFF holds nothing here, and not "all defences are on".
    expect(text).toContain('bff           http://localhost:3000  not the client in this mode: the SPA is a public client and keeps the tokens in the browser');
    expect(text).not.toContain('holds the client secret and all tokens');
    expect(text).not.toContain('All defences are on');
    expect(text).toContain('Every defence switch is on, but the BFF pattern itself is not: in this mode the browser holds the tokens.');
  });
});

describe('per-service Node flags', () => {
  it('gives BFF_NODE_OPTIONS to the BFF process only, after NODE_OPTIONS', async () => {
    const [bffPort, apiPort] = [await occupy('127.0.0.1'), await occupy('127.0.0.1')];
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const env = makeLabEnv(process.env, {
      BFF_PORT: String(bffPort),
      API_PORT: String(apiPort),
      NODE_OPTIONS: '--max-http-header-size=16384',
      BFF_NODE_OPTIONS: '--max-semi-space-size=4',
    });
    const lab = await startLab({ env, services: ['bff', 'resource-api'], timeoutMs: 60_000 });
    try {
      const optionsOf = (service: 'bff' | 'resource-api') =>
        readFileSync(`/proc/${lab.pidOf(service)}/environ`, 'utf8')
          .split('\0')
          .find((entry) => entry.startsWith('NODE_OPTIONS='));
      expect(optionsOf('bff')).toBe('NODE_OPTIONS=--max-http-header-size=16384 --max-semi-space-size=4');
      expect(optionsOf('resource-api')).toBe('NODE_OPTIONS=--max-http-header-size=16384');
    } finally {
      await lab.stop();
    }
  });
});
