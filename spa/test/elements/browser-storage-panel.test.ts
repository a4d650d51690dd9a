/**
 * <browser-storage-panel> in a real Chromium: what page scripts can read (document.cookie,
 * localStorage, sessionStorage), which values it flags as tokens, how it shortens them, and its verdict.
 *
 * Why Chromium, and why this way: the panel reads the browser's own cookie jar and storage and
 * renders with Lit into a shadow root, so Node cannot run it (no DOM here: no jsdom or happy-dom,
 * and vitest's browser mode would need @vitest/browser and a provider, neither installed nor
 * downloadable). playwright-core drives Debian's Chromium, and the page loads the element from the
 * SPA's real Vite dev server (started on port 0 in this test, as spa/test/server does), so the code
 * under test is what the learner's browser runs. The whole lab (the e2e suite) is not needed: the
 * panel talks to no server, and a test must set exactly what the page's storage holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startElementPages, type ElementPages } from './support/element-page.ts';

let pages: ElementPages;
beforeAll(async () => {
  pages = await startElementPages();
});
afterAll(async () => {
  await pages?.close();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ACCESS_TOKEN = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${b64({ iss: 'http://127.0.0.1:4000', sub: 'alice', aud: 'http://localhost:4001', scope: 'notes:read notes:write', exp: 2e9 })}.${'s'.repeat(342)}`;
const ID_TOKEN = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ iss: 'http://127.0.0.1:4000', sub: 'alice', aud: 'spa-public', nonce: 'n0nce', exp: 2e9 })}.${'t'.repeat(342)}`;
const REFRESH_TOKEN = 'hV7wY1m0bLq3dZ8sK2pR9tF4gJ6nX5cA0eU1iO3yT7w';

/** A fresh page whose storage holds `setUp`'s values, with the panel mounted; returns what a learner sees. */
async function panelOver(setUp: { cookies?: string[]; local?: Record<string, string>; session?: Record<string, string> }): Promise<Page> {
  const page = await pages.open('/src/browser-storage-panel.ts');
  await page.evaluate(
    async ({ cookies, local, session }) => {
      // biome-ignore lint/suspicious/noDocumentCookie: the test plants cookies the way a page script would
      for (const cookie of cookies) document.cookie = cookie;
      for (const [name, value] of Object.entries(local)) localStorage.setItem(name, value);
      for (const [name, value] of Object.entries(session)) sessionStorage.setItem(name, value);
      const panel = document.createElement('browser-storage-panel');
      document.body.append(panel);
      await (panel as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    },
    { cookies: setUp.cookies ?? [], local: setUp.local ?? {}, session: setUp.session ?? {} },
  );
  return page;
}

/** Each list's entries as shown (flag, `name=value`, length), and the verdict. */
async function whatItShows(page: Page) {
  const list = async (testId: string) =>
    page
      .getByTestId(testId)
      .getByTestId('storage-entry')
      .evaluateAll((entries) =>
        entries.map((entry) => ({
          flagged: entry.querySelector('[data-testid="token-flag"]') !== null,
          text: entry.querySelector('.mono')?.textContent ?? '',
          length: entry.querySelector('.length')?.textContent ?? null,
        })),
      );
  const verdict = page.getByTestId('token-verdict');
  return {
    cookies: await list('storage-cookies'),
    local: await list('storage-local'),
    session: await list('storage-session'),
    verdict: (await verdict.textContent())?.replace(/\s+/g, ' ').trim(),
    verdictKind: await verdict.evaluate((element) => [...element.classList].find((name) => name !== 'verdict')),
    alert: await verdict.getAttribute('role'),
  };
}

/** Everything the panel renders, as text (its shadow root). */
function panelText(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector('browser-storage-panel')?.shadowRoot?.textContent ?? '');
}

describe('<browser-storage-panel>', () => {
  it('with the BFF pattern (nothing readable): three empty lists and "No token here"', async () => {
    const page = await panelOver({});
    expect(await whatItShows(page)).toEqual({
      cookies: [],
      local: [],
      session: [],
      verdict: 'No token here. The session cookie is HttpOnly: the browser sends it to the BFF, but page scripts cannot read it.',
      verdictKind: 'safe',
      alert: null,
    });
    expect(await page.getByText('(empty)').count()).toBe(3);
    await page.context().close();
  });

  it("with the public client's storage: flags the access, ID and refresh tokens (the refresh token by its name), not the rest", async () => {
    const page = await panelOver({
      local: {
        'lab.access_token': ACCESS_TOKEN,
        'lab.id_token': ID_TOKEN,
        'lab.refresh_token': REFRESH_TOKEN,
        'lab.access_token_expires_at': '2000000000000',
        'lab.mode': 'public-client',
      },
      session: { 'lab.login.state': 'st4te' },
    });
    const shown = await whatItShows(page);
    expect(shown.local).toEqual([
      { flagged: true, text: `lab.access_token=${ACCESS_TOKEN.slice(0, 60)}…`, length: `(${ACCESS_TOKEN.length} chars)` },
      { flagged: false, text: 'lab.access_token_expires_at=2000000000000', length: null },
      { flagged: true, text: `lab.id_token=${ID_TOKEN.slice(0, 60)}…`, length: `(${ID_TOKEN.length} chars)` },
      { flagged: false, text: 'lab.mode=public-client', length: null },
      { flagged: true, text: `lab.refresh_token=${REFRESH_TOKEN}`, length: null },
    ]);
    expect(shown.session).toEqual([{ flagged: false, text: 'lab.login.state=st4te', length: null }]);
    expect(shown.verdict).toBe(
      'TOKEN VISIBLE TO SCRIPTS: 3 values above are tokens (a JWT, or named as a token). Any script on this page, an injected one included, can read them and send them away.',
    );
    expect([shown.verdictKind, shown.alert]).toEqual(['exposed', 'alert']);
    // Shown shortened: a JWT's signature never appears on screen.
    const text = await panelText(page);
    expect(text).not.toContain(ACCESS_TOKEN);
    expect(text).not.toContain(ID_TOKEN);
    expect(text).not.toContain('s'.repeat(40));
    await page.context().close();
  });

  it('with a readable session cookie (HttpOnly weakened): no token, but says scripts can read the cookies', async () => {
    const page = await panelOver({ cookies: ['bff_session=f3a9c1d2-opaque', 'theme=dark'] });
    const shown = await whatItShows(page);
    expect(shown.cookies).toEqual([
      { flagged: false, text: 'bff_session=f3a9c1d2-opaque', length: null },
      { flagged: false, text: 'theme=dark', length: null },
    ]);
    expect([shown.verdict, shown.verdictKind, shown.alert]).toEqual([
      'No token here, but page scripts can read the cookies above. If one of them is the session cookie, it is not HttpOnly: an XSS can read it and use the session from elsewhere.',
      'exposed',
      null,
    ]);
    await page.context().close();
  });

  it('finds a JWT in a percent-encoded cookie value (a strict encoder writes its dots as %2E), and a token under a camelCase name', async () => {
    const strictlyEncoded = encodeURIComponent(JSON.stringify({ token: ACCESS_TOKEN })).replaceAll('.', '%2E');
    const page = await panelOver({
      cookies: [`prefs=${strictlyEncoded}`],
      session: { refreshToken: REFRESH_TOKEN },
    });
    const shown = await whatItShows(page);
    expect(shown.cookies.map((entry) => entry.flagged)).toEqual([true]);
    expect(shown.session).toEqual([{ flagged: true, text: `refreshToken=${REFRESH_TOKEN}`, length: null }]);
    expect(shown.verdict).toMatch(/^TOKEN VISIBLE TO SCRIPTS: 2 values above are tokens/);
    await page.context().close();
  });

  it('reads the storage again on "Refresh now": a token stored after it was drawn is flagged', async () => {
    const page = await panelOver({});
    await page.evaluate((token) => localStorage.setItem('lab.refresh_token', token), REFRESH_TOKEN);
    await page.getByTestId('storage-refresh').click();
    await expect
      .poll(async () => (await whatItShows(page)).verdict)
      .toBe(
        'TOKEN VISIBLE TO SCRIPTS: one value above is a token (a JWT, or named as a token). Any script on this page, an injected one included, can read it and send it away.',
      );
    await page.context().close();
  });
});
