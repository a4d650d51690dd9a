import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@lab/shared';
import { createDpopKeyPair, readDpopJwk } from '../src/dpop-key.ts';

describe('the BFF DPoP key (BFF_DPOP_JWK)', () => {
  it('imports a configured private P-256 JWK: the same public key, the private half not exportable', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
    const keyPair = await createDpopKeyPair(readDpopJwk(JSON.stringify(jwk)));
    const { d: _private, ...publicJwk } = jwk;
    expect(await calculateJwkThumbprint(await exportJWK(keyPair.publicKey))).toBe(await calculateJwkThumbprint(publicJwk));
    expect(keyPair.privateKey.extractable).toBe(false);
  });

  it('makes a key of its own when none is configured', async () => {
    expect(readDpopJwk(undefined)).toBeUndefined();
    const keyPair = await createDpopKeyPair(undefined);
    expect(keyPair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
  });

  it.each([
    ['not JSON', '{'],
    ['a public key', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' })],
    ['an RSA key', JSON.stringify({ kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' })],
  ])('refuses %s, naming the variable', (_case, raw) => {
    expect(() => readDpopJwk(raw)).toThrow(ConfigError);
    expect(() => readDpopJwk(raw)).toThrow(/BFF_DPOP_JWK/);
  });
});
