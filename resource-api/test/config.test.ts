import { describe, expect, it } from 'vitest';
import { ConfigError } from '@lab/shared';
import { loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('trusts the lab authorization server and names itself by its public URL', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 4001,
      issuer: 'http://127.0.0.1:4000',
      audience: 'http://localhost:4001',
      jwksUrl: 'http://127.0.0.1:4000/jwks',
      algorithms: ['RS256', 'PS256', 'ES256'],
      lab: { weakened: [], controlKey: undefined, fullView: false },
    });
  });

  it('follows the ports of the topology', () => {
    const config = loadConfig({ API_PORT: '4101', AUTHSERVER_PORT: '4100' });
    expect(config).toMatchObject({ port: 4101, audience: 'http://localhost:4101', issuer: 'http://127.0.0.1:4100', jwksUrl: 'http://127.0.0.1:4100/jwks' });
  });

  it('names API_PORT when the port is not a number', () => {
    expect(() => loadConfig({ API_PORT: 'four-thousand' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_PORT: 'four-thousand' })).toThrow(/^API_PORT: /);
  });

  it('refuses alg none and HMAC algorithms in API_ALGORITHMS (RFC 8725 §3.1)', () => {
    expect(() => loadConfig({ API_ALGORITHMS: 'RS256,none' })).toThrow(/^API_ALGORITHMS: "none" is not an accepted/);
    expect(() => loadConfig({ API_ALGORITHMS: 'HS256' })).toThrow(/^API_ALGORITHMS: "HS256" is not an accepted/);
  });

  it('reads the algorithm allow-list and the weakened defences', () => {
    const config = loadConfig({ API_ALGORITHMS: ' ES256 , RS256 ', LAB_WEAKEN: 'api-audience' });
    expect(config.algorithms).toEqual(['ES256', 'RS256']);
    expect(config.lab.weakened).toEqual(['api-audience']);
  });

  it('names LAB_WEAKEN when a defence name is unknown', () => {
    expect(() => loadConfig({ LAB_WEAKEN: 'api-everything' })).toThrow(/^LAB_WEAKEN: unknown defence "api-everything"/);
  });
});
