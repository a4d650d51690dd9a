/**
 * <xray-jwt> in a real Chromium: the X-ray's view of one decoded JWT (what kind of token, where it
 * was, whether the authorization server signed it, its header and claims with their meaning and dates).
 *
 * Why Chromium, and why this way: the element renders with Lit into a shadow root, which Node
 * cannot run (no DOM library here; vitest's browser mode would need @vitest/browser and a
 * provider, neither installed nor downloadable). playwright-core drives Debian's Chromium, and the
 * page loads the element from the SPA's real Vite dev server on port 0, so the code under test is
 * what the learner's browser runs. The e2e suite shows the X-ray with real tokens
 * (e2e/xray.test.ts); here each test sets exactly the decoded token the view gets, hostile claims
 * included, which a real login cannot produce.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { DecodedJwt } from '@lab/shared';
import { startElementPages, type ElementPages } from './support/element-page.ts';

let pages: ElementPages;
beforeAll(async () => {
  pages = await startElementPages();
});
afterAll(async () => {
  await pages?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A fresh page showing `jwt` in <xray-jwt>. */
async function viewOf(jwt: DecodedJwt | undefined): Promise<Page> {
  const page = await pages.open('/src/xray-jwt.ts');
  await page.evaluate(async (decoded) => {
    const view = document.createElement('xray-jwt') as HTMLElement & { jwt?: unknown; updateComplete: Promise<unknown> };
    view.jwt = decoded ?? undefined;
    document.body.append(view);
    await view.updateComplete;
  }, jwt ?? null);
  return page;
}

/** The view as a learner reads it: kind, where, signature line, and each row's name, value and meaning. */
async function read(page: Page) {
  return page.evaluate(() => {
    const root = document.querySelector('xray-jwt')?.shadowRoot;
    const box = root?.querySelector('[data-testid="xray-jwt"]');
    if (!root || !box) return undefined;
    const text = (element: Element | null | undefined) => element?.textContent?.replace(/\s+/g, ' ').trim();
    return {
      kind: text(box.querySelector('.kind')),
      where: text(box.querySelector('.where')),
      signature: text(box.querySelector('[data-testid="xray-jwt-signature"]')),
      signatureAttribute: box.getAttribute('data-signature'),
      rows: [...box.querySelectorAll('tr')].map((row) => [...row.children].map((cell) => text(cell))),
      dates: [...box.querySelectorAll('[data-testid="xray-jwt-date"]')].map((date) => text(date)),
    };
  });
}

/** An access token issued at `iat`, for 5 minutes, as the BFF receives it. */
const accessToken = (iat: number): DecodedJwt => ({
  where: 'response body: access_token',
  header: { alg: 'RS256', typ: 'at+jwt', kid: 'k1' },
  payload: { iss: 'http://127.0.0.1:4000', sub: 'alice', aud: 'http://localhost:4001', exp: iat + 300, iat, scope: 'notes:read notes:write', client_id: 'bff' },
  signature: 'verified',
});

describe('<xray-jwt>', () => {
  it('an access token: its kind, where it was, "signature verified", the header, and each claim with its meaning', async () => {
    const iat = nowSeconds();
    const page = await viewOf(accessToken(iat));
    const view = await read(page);
    expect(view).toMatchObject({
      kind: 'Access token (JWT)',
      where: 'response body: access_token',
      signature: '✔ Signature verified with the authorization server’s public key',
      signatureAttribute: 'verified',
    });
    expect(view?.rows).toEqual([
      ['Header'],
      ['alg', 'RS256'],
      ['typ', 'at+jwt'],
      ['kid', 'k1'],
      ['Payload (claims)'],
      ['iss', 'http://127.0.0.1:4000', 'issuer: who signed the token'],
      ['sub', 'alice', 'subject: the user'],
      ['aud', 'http://localhost:4001', 'audience: who must accept it (an ID token: the client; an access token: the API)'],
      ['exp', String(iat + 300), expect.stringMatching(/^expires at: .+ \(in 5 min\)$/)],
      ['iat', String(iat), expect.stringMatching(/^issued at: .+ \((?:\d s ago|in 0 s)\)$/)],
      ['scope', 'notes:read notes:write', 'what the access token allows'],
      ['client_id', 'bff', 'the client the access token was issued to'],
    ]);
    expect(view?.dates).toHaveLength(2);
    await page.context().close();
  });

  it('an ID token (it has a nonce) whose signature is not the authorization server’s: says so, loudly', async () => {
    const page = await viewOf({
      where: 'request body: id_token_hint',
      header: { alg: 'RS256', kid: 'mallory' },
      payload: { iss: 'http://127.0.0.1:4000', sub: 'alice', aud: 'bff', nonce: 'n0nce', exp: nowSeconds() - 7_200 },
      signature: 'invalid',
    });
    expect(await read(page)).toMatchObject({
      kind: 'ID token (JWT)',
      where: 'request body: id_token_hint',
      signature: '✘ Signature INVALID: not signed by the authorization server',
      signatureAttribute: 'invalid',
      dates: [expect.stringMatching(/\(2 h ago\)$/)],
    });
    await page.context().close();
  });

  it('a JWT that is neither, not checked yet', async () => {
    const page = await viewOf({ where: 'URL: request', header: { alg: 'none' }, payload: { foo: 'bar' }, signature: 'unchecked' });
    expect(await read(page)).toMatchObject({
      kind: 'JWT',
      signature: '? Signature not checked (yet)',
      signatureAttribute: 'unchecked',
      rows: [['Header'], ['alg', 'none'], ['Payload (claims)'], ['foo', 'bar', '']],
    });
    await page.context().close();
  });

  it('shows claims a forger chose as text: markup in a claim is never rendered (the attacker makes tokens too)', async () => {
    const page = await viewOf({
      where: 'request header: authorization',
      header: { alg: 'HS256', typ: '<b>at+jwt</b>' },
      payload: { sub: '<img src=x onerror="window.__pwned = true">', name: '</td></tr><script>window.__pwned = true</script>' },
      signature: 'invalid',
    });
    const view = await read(page);
    expect(view?.rows).toContainEqual(['sub', '<img src=x onerror="window.__pwned = true">', 'subject: the user']);
    expect(view?.rows).toContainEqual(['name', '</td></tr><script>window.__pwned = true</script>', '']);
    const injected = await page.evaluate(() => {
      const root = document.querySelector('xray-jwt')!.shadowRoot!;
      return { elements: root.querySelectorAll('img, script, b').length, pwned: (window as { __pwned?: boolean }).__pwned ?? false };
    });
    expect(injected).toEqual({ elements: 0, pwned: false });
    await page.context().close();
  });

  it('shows structured claims as JSON, and no date for a time claim that is not a number', async () => {
    const page = await viewOf({
      where: 'response body: id_token',
      header: { alg: 'RS256' },
      payload: { aud: ['bff', 'other'], cnf: { jkt: 'abc' }, exp: 'tomorrow', nbf: null },
      signature: 'verified',
    });
    const view = await read(page);
    expect(view?.rows.slice(2)).toEqual([
      ['Payload (claims)'],
      ['aud', '["bff","other"]', 'audience: who must accept it (an ID token: the client; an access token: the API)'],
      ['cnf', '{"jkt":"abc"}', ''],
      ['exp', 'tomorrow', 'expires at'],
      ['nbf', 'null', 'not valid before'],
    ]);
    expect(view?.dates).toEqual([]);
    await page.context().close();
  });

  it('renders nothing without a token', async () => {
    const page = await viewOf(undefined);
    expect(await read(page)).toBeUndefined();
    await page.context().close();
  });
});
