import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import { randomDPoPKeyPair, type CryptoKeyPair } from 'openid-client';
import { DefenceSwitches, type DefenceName } from '@lab/shared';
import { OidcClient } from '../src/oidc-client.ts';
import { loadConfig } from '../src/config.ts';
import { OAuthError } from '../src/errors.ts';
import { signInAtAuthServer, startAuthServerAsIssuer, type IssuerAuthServer } from './support/sign-in-at-authserver.ts';

// Prerequisites: the lab's real authorization server (the bff client registered with
// dpop_bound_access_tokens, its dpop defence on) and the BFF's OpenID Connect client with a DPoP key
// pair made here, so the test knows the thumbprint the tokens must be bound to.
let authserver: IssuerAuthServer;
beforeAll(async () => {
  authserver = await startAuthServerAsIssuer();
});
afterAll(async () => {
  await authserver?.stop();
});

async function signIn(client: OidcClient) {
  const config = loadConfig({ BFF_SESSION_KEYS: 'k'.repeat(32), ...authserver.env });
  const started = await client.startLogin('/', config.redirectUri);
  const callbackUrl = await signInAtAuthServer(started.url, 'alice');
  return client.finishLogin(callbackUrl, started.attempt, started.state);
}

function clientWith(keyPair: Promise<CryptoKeyPair>, weakened: DefenceName[] = []): OidcClient {
  return new OidcClient(loadConfig({ BFF_SESSION_KEYS: 'k'.repeat(32), ...authserver.env }), new DefenceSwitches(weakened), fetch, { dpopKeyPair: keyPair });
}

describe('OidcClient with DPoP (RFC 9449 §5)', () => {
  it("redeems the code with a proof: a DPoP token bound to the BFF's key (cnf.jkt), and refreshes it bound to the same key", async () => {
    const keyPair = randomDPoPKeyPair('ES256');
    const jkt = await calculateJwkThumbprint(await exportJWK((await keyPair).publicKey), 'sha256');
    const client = clientWith(keyPair);
    const { tokens } = await signIn(client);
    expect(tokens.tokenType).toBe('dpop');
    expect(decodeJwt(tokens.accessToken).cnf).toEqual({ jkt });
    const refreshed = await client.refresh(tokens);
    expect(refreshed.tokenType).toBe('dpop');
    expect(decodeJwt(refreshed.accessToken).cnf).toEqual({ jkt });
  });

  it('is refused by the authorization server without a proof while the defence is on there: 400 invalid_grant', async () => {
    // The BFF's own switch off, the authorization server's on: the client is registered dpop_bound_access_tokens.
    const client = clientWith(randomDPoPKeyPair('ES256'), ['dpop']);
    const error = await signIn(client).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_grant' });
    // oidc-provider keeps the reason ("DPoP proof JWT not provided") to its log: invalid_grant says only that the grant request is invalid.
    expect((error as Error).message).toBe('The authorization server said: grant request is invalid');
  });
});
