import { describe, expect, it } from 'vitest';
import { isSecretName, redactTokens, shortenSecret } from '@lab/shared';
import { redactHeader, redactUrl } from '../src/index.ts';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';

describe('shortening secrets for people to read', () => {
  it('keeps the first characters and the length, never the whole value', () => {
    expect(shortenSecret(JWT)).toBe(`eyJhbGciOi…(${JWT.length} chars)`);
    expect(redactTokens(`Bearer ${JWT} and more`)).toBe(`Bearer eyJhbGciOi…(${JWT.length} chars) and more`);
  });

  it.each([
    'access_token',
    'refresh_token',
    'code',
    'code_verifier',
    'client_secret',
    'token',
    'lab.access_token',
    'lab.refresh_token',
    'refreshToken',
    'password',
  ])('treats %s as a secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each(['state', 'nonce', 'code_challenge', 'token_type', 'expires_in', 'scope'])('shows %s as it is', (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it('shortens secret query parameters and keeps the others', () => {
    const url = 'http://localhost:5173/bff/callback?code=abcdefghijklmnopqrstuvwxyz0123456789&state=s1&iss=http%3A%2F%2F127.0.0.1%3A4000';
    expect(redactUrl(url)).toBe('http://localhost:5173/bff/callback?code=abcdefghij…(36 chars)&state=s1&iss=http%3A%2F%2F127.0.0.1%3A4000');
  });

  it('shows who authenticates with Basic, not the secret', () => {
    const header = `Basic ${Buffer.from('bff:supersecretsupersecretsupersecret').toString('base64')}`;
    expect(redactHeader('authorization', header)).toBe('Basic base64(bff:supe…(33 chars))');
  });

  it('keeps cookie attributes and shortens values', () => {
    expect(redactHeader('set-cookie', 'bff_session=0123456789abcdef; path=/; samesite=lax; httponly')).toBe(
      'bff_session=012345…(16 chars); path=/; samesite=lax; httponly',
    );
  });
});
