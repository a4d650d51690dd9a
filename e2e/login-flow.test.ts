import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, signInThroughSpa, signOutThroughSpa } from '@lab/scenarios';

const topology = inject('topology');
const JWT_SHAPE = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A JSON call from the page itself, as the SPA (or an XSS in it) would make it. */
async function callFromPage(page: Page, path: string, init: { method?: string; csrf?: boolean; body?: unknown } = {}) {
  return page.evaluate(
    async ({ path, method, csrf, body }) => {
      const headers: Record<string, string> = {};
      if (csrf) headers['X-CSRF'] = '1';
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    { path, method: init.method ?? 'GET', csrf: init.csrf ?? true, body: init.body },
  );
}

describe('signing in through the SPA (the BFF pattern, end to end)', () => {
  let alice: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    alice = await browser.newContext();
    page = await alice.newPage();
    await signInThroughSpa(page, topology, 'alice');
  });
  afterAll(async () => {
    await alice?.close();
  });

  it("shows alice's name and only alice's notes", async () => {
    await expect.poll(() => page.getByTestId('user-name').textContent()).toContain('alice');
    await page.getByTestId('note').first().waitFor();
    const notes = await page.getByTestId('note').allTextContents();
    // Other tests may have added notes to alice's account: every note is hers, her own seed notes among them.
    expect(notes.length).toBeGreaterThan(0);
    for (const note of notes) expect(note).toMatch(/\balice ·/);
    expect(notes.some((note) => note.includes("Alice's note:"))).toBe(true);
    expect(notes.join('\n')).not.toMatch(/\b(bob|mallory) ·/);
  });

  it('gives the browser only an opaque, HttpOnly, SameSite=Lax session cookie', async () => {
    const cookies = await alice.cookies(topology.spa.url);
    const session = cookies.find((cookie) => cookie.name === 'bff_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: 'localhost' });
    for (const cookie of cookies) {
      expect(cookie.value).not.toMatch(JWT_SHAPE);
      expect(cookie.httpOnly).toBe(true);
    }
  });

  it('leaves no token where page scripts can read', async () => {
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(visible).toEqual({ cookie: '', local: '{}', session: '{}' });
    await expect.poll(() => page.getByTestId('token-verdict').textContent()).toMatch(/No token here/);
  });

  it('refuses /api/notes without the X-CSRF header', async () => {
    const response = await callFromPage(page, '/api/notes', { csrf: false });
    expect(response).toEqual({
      status: 403,
      body: { error: 'csrf_header_missing', message: expect.any(String) },
    });
  });

  it('adds a note through the BFF and shows it', async () => {
    await page.getByTestId('note-input').fill('Written in the end-to-end test');
    await page.getByTestId('add-note-button').click();
    await expect.poll(() => page.getByTestId('note').allTextContents()).toContainEqual(expect.stringContaining('Written in the end-to-end test'));
  });

  it("keeps bob's session apart: a second browser sees only bob's notes", async () => {
    const bob = await browser.newContext();
    try {
      const bobPage = await bob.newPage();
      await signInThroughSpa(bobPage, topology, 'bob');
      const response = await callFromPage(bobPage, '/api/notes');
      expect(response.status).toBe(200);
      const notes = response.body.notes as Array<{ owner: string; text: string }>;
      expect(notes.length).toBeGreaterThan(0);
      expect(notes.every((note) => note.owner === 'bob')).toBe(true);
      expect(JSON.stringify(notes)).not.toContain("Alice's note");
      expect(JSON.stringify(notes)).not.toContain('end-to-end test');
    } finally {
      await bob.close();
    }
  });

  it('signs out: afterwards /bff/user and /api/notes answer 401', async () => {
    await signOutThroughSpa(page, topology);
    expect(await callFromPage(page, '/bff/user')).toEqual({
      status: 401,
      body: { error: 'not_authenticated', message: expect.any(String) },
    });
    expect(await callFromPage(page, '/api/notes')).toMatchObject({ status: 401, body: { error: 'not_authenticated' } });
  });
});
