import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TraceEvent } from '@lab/shared';
import { LabConnection, launchBrowser, signInThroughSpa, signOutThroughSpa } from '@lab/scenarios';

const topology = inject('topology');
const controlKey = inject('controlKey');
const SCREENSHOT = path.resolve(import.meta.dirname, '..', 'test-results', 'xray-after-login.png');
/** A whole JWT (header.payload.signature): the trace shortens every token to `eyJhbGciOi…(812 chars)`. */
const FULL_JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

interface Arrow {
  readonly from: string | null;
  readonly to: string | null;
  readonly channel: string | null;
  readonly path: string | null;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

function arrowsOf(page: Page): Promise<Arrow[]> {
  return page.getByTestId('xray-arrow').evaluateAll((elements) =>
    elements.map((element) => ({
      from: element.getAttribute('data-from'),
      to: element.getAttribute('data-to'),
      channel: element.getAttribute('data-channel'),
      path: element.getAttribute('data-path'),
    })),
  );
}

/** Each holder's cell for each artifact: `held`, `spent`, `gone` or `none`. */
async function holdingsOf(page: Page, party: string): Promise<Record<string, string>> {
  const cells = await page
    .locator(`[data-testid="xray-holding"][data-party="${party}"]`)
    .evaluateAll((elements) => elements.map((element) => [element.getAttribute('data-artifact') ?? '', element.getAttribute('data-state') ?? ''] as const));
  return Object.fromEntries(cells);
}

/** Opens the app with the X-ray open and emptied, so that only what follows shows. */
async function openXray(page: Page): Promise<void> {
  await page.goto(topology.spa.url);
  await page.getByTestId('xray-toggle').click();
  await page.getByTestId('xray-panel').waitFor();
  await page
    .getByTestId('xray-connection')
    .filter({ hasText: /^live$/ })
    .waitFor();
  await page.getByTestId('xray-clear').click();
}

/** Which view the panel says it shows: `session` or `instructor`. */
function viewOf(page: Page): Promise<string | null> {
  return page.getByTestId('xray-view').getAttribute('data-view');
}

/**
 * What the X-ray's stream gives this page's browser (its cookies, as the panel's EventSource
 * sends them), read in the page for `ms` milliseconds: the raw text of the messages.
 */
function readStreamInPage(page: Page, ms: number): Promise<string> {
  return page.evaluate(async (duration) => {
    const controller = new AbortController();
    const response = await fetch('/bff/xray/stream', { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    setTimeout(() => controller.abort(), duration);
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  }, ms);
}

function traceEventsOf(text: string): TraceEvent[] {
  return text
    .split('\n\n')
    .filter((message) => !message.startsWith('event:'))
    .flatMap((message) => message.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => JSON.parse(line.slice(6)) as TraceEvent);
}

/** Bob signs in in a browser of his own and adds a note only he has. */
async function bobUsesTheApp(note: string): Promise<BrowserContext> {
  const bob = await browser.newContext();
  const page = await bob.newPage();
  await signInThroughSpa(page, topology, 'bob');
  await page.getByTestId('note-input').fill(note);
  await page.getByTestId('add-note-button').click();
  await page.getByTestId('note').filter({ hasText: note }).waitFor();
  return bob;
}

describe('the X-ray (BFF mode)', () => {
  let alice: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    alice = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await alice.newPage();
    await openXray(page);
    // The X-ray stays open through the sign-in: the page goes to the authorization server and comes back.
    await signInThroughSpa(page, topology, 'alice');
    await page.getByTestId('note').first().waitFor();
  });

  it("says it shows this browser's session only", async () => {
    await expect.poll(() => viewOf(page)).toBe('session');
    expect(await page.getByTestId('xray-view').textContent()).toBe('Your session only');
  });
  afterAll(async () => {
    await alice?.close();
  });

  it('draws the sign-in as it happened: authorize redirect, callback, back-channel token request, API call', async () => {
    const signInOf = (arrows: Arrow[]) => {
      const authorize = arrows.findIndex((arrow) => arrow.path === '/auth' && arrow.to === 'authserver' && arrow.channel === 'front');
      const callback = arrows.findIndex((arrow, index) => index > authorize && arrow.path === '/bff/callback' && arrow.to === 'bff');
      const token = arrows.findIndex((arrow, index) => index > callback && arrow.path === '/token' && arrow.channel === 'back');
      const notes = arrows.findIndex((arrow, index) => index > token && arrow.path === '/notes' && arrow.to === 'resource-api');
      return { authorize, callback, token, notes };
    };
    // Events reach the X-ray on their own schedule (the peers' after a settling time), and an
    // exchange joins this session's view once a later one links it: the first API call can be
    // drawn before the whole sign-in is. Wait for the whole sequence, then check each arrow.
    await expect.poll(async () => Object.values(signInOf(await arrowsOf(page))).every((index) => index >= 0)).toBe(true);
    const arrows = await arrowsOf(page);
    const { authorize, callback, token, notes } = signInOf(arrows);
    expect({ authorize, callback, token, notes }).toEqual({
      authorize: expect.any(Number),
      callback: expect.any(Number),
      token: expect.any(Number),
      notes: expect.any(Number),
    });
    expect([authorize, callback, token, notes].every((index) => index >= 0)).toBe(true);
    expect(arrows[authorize]).toEqual({ from: 'user-agent', to: 'authserver', channel: 'front', path: '/auth' });
    expect(arrows[callback]).toEqual({ from: 'user-agent', to: 'bff', channel: 'front', path: '/bff/callback' });
    expect(arrows[token]).toEqual({ from: 'bff', to: 'authserver', channel: 'back', path: '/token' });
    expect(arrows[notes]).toEqual({ from: 'bff', to: 'resource-api', channel: 'back', path: '/notes' });
  });

  it('opens the token response with its JWTs decoded and their signatures verified', async () => {
    await page.getByTestId('xray-size').click();
    await page.locator('[data-testid="xray-arrow"][data-path="/token"][data-channel="back"]').first().click();
    await page.getByTestId('xray-exchange').waitFor();
    const jwts = page.getByTestId('xray-jwt');
    // The BFF's DPoP proof (request header), then the access token and the ID token (response body).
    await expect.poll(() => jwts.count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid="xray-jwt"][data-signature="verified"]').count()).toBe(3);
    expect(await jwts.first().textContent()).toContain('DPoP proof (JWT, RFC 9449)');
    expect(await jwts.first().textContent()).toContain('Signature verified with the public key in its own jwk header');
    expect(await jwts.nth(1).textContent()).toContain('Access token (JWT)');
    expect(await jwts.nth(2).textContent()).toContain('ID token (JWT)');
    await jwts.nth(1).evaluate((element) => element.scrollIntoView({ block: 'start' }));
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("shows that the browser holds only the session cookie; the tokens are the BFF's", async () => {
    await page.getByTestId('xray-tab-holdings').click();
    await page.getByTestId('xray-holdings').waitFor();
    const browserRow = await holdingsOf(page, 'user-agent');
    expect(browserRow['session-cookie']).toBe('held');
    expect({ access: browserRow['access-token'], refresh: browserRow['refresh-token'], id: browserRow['id-token'] }).toEqual({
      access: 'none',
      refresh: 'none',
      id: 'none',
    });
    const bffRow = await holdingsOf(page, 'bff');
    expect({ access: bffRow['access-token'], refresh: bffRow['refresh-token'], id: bffRow['id-token'] }).toEqual({
      access: 'held',
      refresh: 'held',
      id: 'held',
    });
    await page.getByTestId('xray-tab-sequence').click();
  });
});

describe('two users, one X-ray each', () => {
  it("shows alice her sign-in, her API calls and her sign-out, and nothing of bob's", async () => {
    const alice = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    let bob: BrowserContext | undefined;
    const bobsNote = `bob-only-${randomUUID()}`;
    try {
      const page = await alice.newPage();
      await openXray(page);
      await signInThroughSpa(page, topology, 'alice');
      await page.getByTestId('note').first().waitFor();
      bob = await bobUsesTheApp(bobsNote);

      // What alice's browser is sent: her whole flow through the four parties, none of bob's.
      const text = await readStreamInPage(page, 2_500);
      const events = traceEventsOf(text);
      const seen = new Set(events.map((event) => `${event.service} ${new URL(event.url).pathname.replace(/\/(interaction|auth)\/[^/]+/, '/$1/…')}`));
      for (const step of [
        'bff /bff/login',
        'authserver /auth',
        'authserver /interaction/…',
        'authserver /interaction/…/login',
        'bff /bff/callback',
        'bff /token',
        'authserver /token',
        'bff /bff/user',
        'bff /api/notes',
        'resource-api /notes',
      ]) {
        expect(seen, step).toContain(step);
      }
      expect(text).toContain('Alice Adams');
      for (const secret of [bobsNote, 'Bob Brown', 'bob@example.test', '"sub":"bob"', '"preferred_username":"bob"', 'username=bob'])
        expect(text, secret).not.toContain(secret);
      // Every token is alice's; the BFF's DPoP proofs name no user at all (RFC 9449 §4.2).
      const tokens = events.flatMap((event) => event.jwts ?? []).filter((jwt) => jwt.header.typ !== 'dpop+jwt');
      expect(tokens.every((jwt) => jwt.payload.sub === 'alice')).toBe(true);

      // The panel draws one sign-in: hers.
      await expect.poll(async () => (await arrowsOf(page)).filter((arrow) => arrow.path === '/bff/callback').length).toBe(1);
      expect(await viewOf(page)).toBe('session');

      // She signs out; the app comes back signed out, and the X-ray still shows how her session ended.
      await signOutThroughSpa(page, topology);
      await page
        .getByTestId('xray-connection')
        .filter({ hasText: /^live$/ })
        .waitFor();
      await expect
        .poll(async () => (await arrowsOf(page)).map((arrow) => arrow.path), { timeout: 10_000 })
        .toEqual(expect.arrayContaining(['/bff/logout', '/session/end']));
      expect((await arrowsOf(page)).filter((arrow) => arrow.path === '/bff/callback')).toHaveLength(1);
      const afterwards = await readStreamInPage(page, 1_500);
      for (const secret of [bobsNote, 'Bob Brown', 'bob@example.test']) expect(afterwards, secret).not.toContain(secret);
    } finally {
      await bob?.close();
      await alice.close();
    }
  });

  it('sends a browser without a session no event at all', async () => {
    const stranger = await browser.newContext();
    try {
      const page = await stranger.newPage();
      await page.goto(topology.spa.url);
      const reading = readStreamInPage(page, 4_000);
      const bob = await bobUsesTheApp(`bob-only-${randomUUID()}`);
      await bob.close();
      const text = await reading;
      expect(text).toBe('retry: 2000\n\nevent: view\ndata: {"view":"session"}\n\n');
    } finally {
      await stranger.close();
    }
  });

  it("shows the instructor every session once the run's control key is typed in the panel", async () => {
    const instructor = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const page = await instructor.newPage();
      await openXray(page);
      await page.getByTestId('xray-instructor').click();
      await page.getByTestId('xray-key').fill('not-the-key');
      await page.getByTestId('xray-key-submit').click();
      await page.getByTestId('xray-key-error').waitFor();
      expect(await viewOf(page)).toBe('session');
      await page.getByTestId('xray-key').fill(controlKey);
      await page.getByTestId('xray-key-submit').click();
      await expect.poll(() => viewOf(page)).toBe('instructor');
      expect(await page.getByTestId('xray-view').textContent()).toBe('Instructor view: every session');

      const bob = await bobUsesTheApp(`bob-only-${randomUUID()}`);
      await bob.close();
      await expect.poll(async () => (await arrowsOf(page)).some((arrow) => arrow.path === '/bff/callback'), { timeout: 10_000 }).toBe(true);
      // The key is nowhere the page's scripts can read it.
      expect(
        await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href),
      ).not.toContain(controlKey);

      await page.getByTestId('xray-instructor-leave').click();
      await expect.poll(() => viewOf(page)).toBe('session');
    } finally {
      await instructor.close();
    }
  });
});

describe('GET /bff/xray/stream', () => {
  it('carries no full token while the full view is off, even to the instructor', async () => {
    // The shared lab's time may have moved ahead (scenarios move it): the X-ray says how far, as the BFF's clock does.
    const labClock = async () =>
      (await (await fetch(`${topology.bff.url}/_lab/clock`, { headers: { 'X-Lab-Key': controlKey } })).json()) as { now: string; offsetSeconds: number };
    const state = await fetch(`${topology.spa.url}/bff/xray/state`, { headers: { 'X-CSRF': '1' } });
    const body = (await state.json()) as { clock: { now: string } };
    // `now`: the lab's time as the BFF reads it, for the panel to show a JWT's exp against the lab's time.
    const labTime = Date.parse((await labClock()).now);
    expect(Math.abs(Date.parse(body.clock.now) - labTime)).toBeLessThan(5_000);
    expect(body).toEqual({ fullView: false, view: 'session', clock: { offsetSeconds: (await labClock()).offsetSeconds, held: false, now: body.clock.now } });

    const controller = new AbortController();
    const response = await fetch(`${topology.spa.url}/bff/xray/stream`, { signal: controller.signal, headers: { 'X-Lab-Key': controlKey } });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      const reader = response.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })();

    const eventsOf = () => traceEventsOf(text);
    // Events carry the lab's time, which may be ahead of real time.
    const started = (await labClock()).now;
    const bob = await browser.newContext();
    try {
      await signInThroughSpa(await bob.newPage(), topology, 'bob');
      // Bob's sign-in, to its API call, has come through the stream (after the backlog).
      const apiCallOfBob = () =>
        eventsOf().some((event) => event.time >= started && event.service === 'resource-api' && new URL(event.url).pathname === '/notes');
      await expect.poll(apiCallOfBob, { timeout: 10_000 }).toBe(true);
    } finally {
      await bob.close();
      controller.abort();
      await reading;
    }

    const events = eventsOf();
    expect(text.startsWith('retry: 2000\n\nevent: view\ndata: {"view":"instructor"}\n\n')).toBe(true);
    expect(events.some((event) => event.time >= started && (event.jwts ?? []).length > 0)).toBe(true);
    // The stream starts with the backlog, which may hold events recorded while a scenario had the
    // full view on (attack-stolen-access-token reads one whole DPoP proof that way): those are shown
    // as recorded. Everything recorded since the full view is off carries no full token.
    const recent = events.filter((event) => event.time >= started);
    expect(recent.every((event) => !event.fullView)).toBe(true);
    expect(JSON.stringify(recent)).not.toMatch(FULL_JWT);
  });
});

describe('the X-ray (anti-pattern: the SPA as a public client)', () => {
  const lab = new LabConnection(topology, controlKey);

  it("shows the tokens in the browser's row, in the instructor's view (they belong to no BFF session)", async () => {
    await lab.setMode('public-client');
    const carol = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const page = await carol.newPage();
      await openXray(page);
      await page.getByTestId('xray-public-client-hint').waitFor();
      // The instructor's link: the key in the fragment opens the X-ray in the instructor's view, and leaves the address.
      await page.goto('about:blank');
      await page.goto(`${topology.spa.url}/#xray-key=${encodeURIComponent(controlKey)}`);
      await expect.poll(() => viewOf(page)).toBe('instructor');
      expect(page.url()).not.toContain(controlKey);
      await signInThroughSpa(page, topology, 'alice');
      await page.getByTestId('xray-panel').waitFor();
      await page.getByTestId('xray-tab-holdings').click();
      await expect.poll(async () => (await holdingsOf(page, 'user-agent'))['access-token'], { timeout: 10_000 }).toBe('held');
      const browserRow = await holdingsOf(page, 'user-agent');
      expect({ access: browserRow['access-token'], refresh: browserRow['refresh-token'], id: browserRow['id-token'] }).toEqual({
        access: 'held',
        refresh: 'held',
        id: 'held',
      });
    } finally {
      await carol.close();
      await lab.setMode('bff');
    }
  });
});
