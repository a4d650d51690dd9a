import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { TEST_PORTS } from './support/test-ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, ...TEST_PORTS, LAB_CONTROL_KEY: inject('controlKey'), NO_COLOR: '1' };

/** Runs the scenario with --report and returns the report's HTML. */
function report(id: string): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scenarios/src/cli.ts', id, '--report'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(result.status, result.stdout + result.stderr).toBe(0);
  const file = result.stdout.match(/^Report: (.+\.html)$/m)?.[1];
  expect(file).toBeDefined();
  return readFileSync(file as string, 'utf8');
}

describe('npm run scenario -- <attack> --report', () => {
  it.each([
    // the lure page and the refused request's page
    ['attack-csrf', "Mallory's page|The BFF's answer as the browser shows it"],
    // the framed page
    ['attack-clickjacking', "Mallory's page"],
    // the refused callback, in alice's browser
    ['attack-code-injection', "The BFF's answer as the browser shows it"],
    ['attack-open-redirect-weakened', "Mallory's page"],
  ])(
    '%s: screenshots of its browser steps, the decisive exchanges highlighted and linked, the sign-in in one group',
    (id, caption) => {
      const html = report(id);
      expect(html.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]{1000,}"/g)?.length ?? 0).toBeGreaterThan(0);
      // Captions are HTML-escaped in the page.
      expect(html).toMatch(new RegExp(`<figcaption>(${caption.replaceAll("'", '&#39;')})`));
      const decisive = [...html.matchAll(/<tr class="(?:front|back) decisive" id="exchange-(\d+)">/g)].map((match) => match[1]);
      expect(decisive.length).toBeGreaterThan(0);
      for (const number of decisive) {
        expect(html).toContain(`<a href="#exchange-${number}" id="diagram-${number}">`);
        expect(html).toContain(`<a href="#exchange-${number}">${number}</a>`);
      }
    },
    120_000,
  );

  it("attack-csrf folds alice's sign-in into one group, and tells the story with the lab's own addresses", () => {
    const html = report('attack-csrf');
    expect(html).toMatch(/<details class="sign-in"><summary>The sign-in, as usual: \d+ exchanges/);
    expect(html).toContain(`${inject('topology').attacker.url}/csrf)`);
    expect(html).not.toContain('by default');
  }, 120_000);
});
