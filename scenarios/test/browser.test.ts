import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession } from 'playwright-core';
import { findChromium, launchBrowser } from '../src/browser.ts';

const SCRIPT = fileURLToPath(new URL('../bin/chromium-one-feature-list', import.meta.url));

/** Runs the script in front of a stand-in browser that prints the arguments it got, one per line. */
function runScript(args: string[], browser = echoBrowser): { status: number | null; args: string[]; stderr: string } {
  const result = spawnSync(SCRIPT, args, { env: { ...process.env, LAB_BROWSER_EXECUTABLE: browser }, encoding: 'utf8' });
  return { status: result.status, args: result.stdout.split('\n').filter((line) => line !== ''), stderr: result.stderr };
}

let echoBrowser: string;
beforeAll(() => {
  echoBrowser = join(mkdtempSync(join(tmpdir(), 'lab-browser-')), 'echo-browser');
  writeFileSync(echoBrowser, '#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg"; done\n');
  chmodSync(echoBrowser, 0o755);
});

describe('bin/chromium-one-feature-list', () => {
  it('joins every --disable-features into one, after the other arguments, which keep their order', () => {
    const result = runScript(['--a', '--disable-features=One,Two', '--b=x y', '--disable-features=Three', '--headless']);
    expect(result.status).toBe(0);
    expect(result.args).toEqual(['--a', '--b=x y', '--headless', '--disable-features=One,Two,Three']);
  });

  it('adds none when it was given none, and passes arguments with spaces and quotes as they are', () => {
    expect(runScript(['--x', 'it\'s "quoted"', '']).args).toEqual(['--x', 'it\'s "quoted"']);
    expect(runScript([]).args).toEqual([]);
  });

  it('exits 2, saying why, when no browser is named', () => {
    const result = runScript(['--a'], '');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/LAB_BROWSER_EXECUTABLE names no browser/);
  });
});

describe.runIf(findChromium() !== undefined && process.platform === 'linux')('launchBrowser', () => {
  let browser: Browser;
  let cdp: CDPSession;
  beforeAll(async () => {
    browser = await launchBrowser();
    cdp = await browser.newBrowserCDPSession();
  });
  afterAll(() => browser?.close());

  it("runs Chromium with one --disable-features: Playwright's list and the lab's", async () => {
    // The browser process's own command line, as the kernel has it (after the script's exec).
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    const id = processInfo.find((info) => info.type === 'browser')?.id;
    const args = readFileSync(`/proc/${id}/cmdline`, 'utf8').split('\0');
    const lists = args.filter((arg) => arg.startsWith('--disable-features='));
    expect(lists).toHaveLength(1);
    const features = (lists[0] as string).slice('--disable-features='.length).split(',');
    // Two of Playwright's, and the lab's own.
    expect(features).toEqual(expect.arrayContaining(['PaintHolding', 'ThirdPartyStoragePartitioning', 'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']));
  });

  it("a new context's window loads no address-bar popup: its page is the only target", async () => {
    const context = await browser.newContext();
    try {
      await context.newPage();
      const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] };
      expect(targetInfos.map(({ type, url }) => `${type} ${url}`)).toEqual(['page about:blank']);
    } finally {
      await context.close();
    }
  });
});
