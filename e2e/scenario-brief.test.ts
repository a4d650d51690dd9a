import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { TEST_PORTS } from './support/test-ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, ...TEST_PORTS, LAB_CONTROL_KEY: inject('controlKey'), NO_COLOR: '1' };

function scenario(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scenarios/src/cli.ts', ...args], {
    cwd: root,
    env: { ...env, ...extra },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

describe('npm run scenario -- <id> --brief (narration for a live room)', () => {
  it('attack-csrf: at most half the lines of the full run, none wider than the terminal', () => {
    const full = scenario(['attack-csrf'], { COLUMNS: '80' });
    const brief = scenario(['attack-csrf', '--brief'], { COLUMNS: '80' });
    expect(brief.length).toBeLessThanOrEqual(full.length / 2);
    expect(Math.max(...brief.map((line) => [...line].length))).toBeLessThanOrEqual(80);
    expect(Math.max(...full.map((line) => [...line].length))).toBeLessThanOrEqual(80);
    // The sign-in is one line; the decisive refusal and its error code are there; "Look at" closes the step.
    expect(brief.filter((line) => line.startsWith('Step 1 '))).toHaveLength(1);
    expect(brief[brief.findIndex((line) => line.startsWith('Step 1 ')) + 1]).toMatch(/exchanges, \d+\/\d+ checks held\)$/);
    expect(brief.filter((line) => line.trim() === 'error: csrf_header_missing')).toHaveLength(3);
    const step2 = brief.slice(
      brief.findIndex((line) => line.startsWith('Step 2 ')),
      brief.findIndex((line) => line.startsWith('Step 3 ')),
    );
    expect(step2.filter((line) => line.trim().startsWith('Look at:'))).toHaveLength(2);
    expect(
      step2
        .filter((line) => line.trim() !== '')
        .at(-2)
        ?.trim(),
    ).toMatch(/^Look at:/);
    expect(brief.join('\n')).not.toContain('request body:');
  }, 120_000);

  it('does not wrap when the output is not a terminal and COLUMNS is not set', () => {
    const lines = scenario(['attack-csrf', '--brief'], { COLUMNS: '' });
    expect(Math.max(...lines.map((line) => [...line].length))).toBeGreaterThan(120);
  }, 90_000);

  it('flow-recommended, on other ports than the defaults, mentions no default port', () => {
    const text = scenario(['flow-recommended']).join('\n');
    expect(text).toContain(inject('topology').authserver.url.replace('http://', ''));
    expect(text.match(/:(?:5173|3000|4000|4001|6660)(?!\d)/g)).toBeNull();
  }, 120_000);

  it('attack prerequisites name the attacker site in force, not "by default"', () => {
    const text = scenario(['attack-csrf', '--brief']).join('\n');
    expect(text).toContain(`${inject('topology').attacker.url}/csrf)`);
    expect(text).not.toContain('by default');
  }, 90_000);
});
