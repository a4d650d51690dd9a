import { describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { CLI_SCENARIOS, OPS_SCENARIOS } from '@lab/scenarios';
import { TEST_PORTS } from './support/test-ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, ...TEST_PORTS, LAB_CONTROL_KEY: inject('controlKey'), NO_COLOR: '1' };

function run(script: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

/** Whether `host:port` can be bound now (nothing listens there). */
function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

describe('npm run scenario', () => {
  it('--list prints every scenario id with its title', () => {
    const result = run('scenarios/src/cli.ts', ['--list']);
    expect(result.status).toBe(0);
    for (const scenario of CLI_SCENARIOS) expect(result.stdout).toContain(`${scenario.id}  `);
    expect(result.stdout.trim().split('\n')).toHaveLength(CLI_SCENARIOS.length);
    // The operations scenarios say they need the Redis set-up.
    const marked = result.stdout.split('\n').filter((line) => line.endsWith('[Redis set-up only: LAB_STORE=redis LAB_BFF_INSTANCES=2 npm start]'));
    expect(marked.map((line) => line.split(' ')[0])).toEqual(OPS_SCENARIOS.map((scenario) => scenario.id));
  });

  it('skips an operations scenario in the default lab, saying which set-up it needs, and exits 2', () => {
    const result = run('scenarios/src/cli.ts', ['ops-redis-down']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('ops-redis-down runs only in the Redis set-up (LAB_STORE=redis LAB_BFF_INSTANCES=2 npm start): skipped.');
  });

  it('exits 1 and names the expectation that failed, with expected and actual', () => {
    const result = run('e2e/support/run-broken-scenario.ts', ['broken-on-purpose']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('FAIL broken-on-purpose: 0/1 expectations held');
    expect(result.stdout).toContain('failed: GET /bff/user answers 200 for an anonymous browser: expected 200, got 401');
  });

  it("--json prints the contract's document: id, title, pass, steps, expectations", () => {
    const result = run('e2e/support/run-broken-scenario.ts', ['broken-on-purpose', '--json']);
    expect(result.status).toBe(1);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      id: 'broken-on-purpose',
      title: 'An expectation that does not hold',
      pass: false,
      steps: [expect.objectContaining({ number: 1, actor: 'Client: SPA' })],
      expectations: [{ name: 'GET /bff/user answers 200 for an anonymous browser', expected: 200, actual: 401, pass: false }],
    });
  });

  it('--lanes 2 runs scenarios side by side, the second lane in a lab of its own that it stops, and prints each whole, in the order of --list', async () => {
    const ids = ['attack-pkce-downgrade', 'attack-open-redirect', 'attack-mix-up'];
    const result = run('scenarios/src/cli.ts', [...ids, '--lanes', '2']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Running 3 scenarios in 2 labs side by side (--lanes 1 for one at a time)...');
    // Each scenario's narration whole, in the order of --list, whichever lane ran it.
    const headers = result.stdout.split('\n').filter((line) => line.startsWith('━━ '));
    expect(headers.map((line) => line.split(' ')[1])).toEqual(CLI_SCENARIOS.map((scenario) => scenario.id).filter((id) => ids.includes(id)));
    for (const id of ids) {
      const from = result.stdout.slice(result.stdout.indexOf(`━━ ${id} `));
      const end = from.indexOf('\n━━ ');
      expect(end === -1 ? from : from.slice(0, end)).toMatch(new RegExp(`\\nPASS ${id}: \\d+/\\d+ expectations held`));
    }
    expect(result.stdout).toMatch(/\n3 passed, 0 failed in \d+\.\d s/);
    // The second lab ran (its BFF logged where it listened), and is gone: its port is free again.
    const bffLog = readFileSync(path.join(root, '.lab', 'logs-lane-2', 'bff.log'), 'utf8');
    const port = Number(/listening on http:\/\/localhost:(\d+)/.exec(bffLog)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await canListen('127.0.0.1', port)).toBe(true);
  });

  it('refuses --lanes outside 1 to 8 with exit 2, before starting anything', () => {
    for (const lanes of ['0', '9', 'two', '1.5']) {
      const result = run('scenarios/src/cli.ts', ['attack-csrf', '--lanes', lanes]);
      expect(result.status).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(`--lanes must be a whole number from 1 to 8, not "${lanes}".`);
      expect(result.stdout).toBe('');
    }
  });

  it('refuses an unknown scenario id with exit 2', () => {
    const result = run('scenarios/src/cli.ts', ['no-such-scenario']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown scenario: no-such-scenario.');
    expect(result.stderr).toContain('Every scenario: npm run scenario -- --list');
  });

  it('suggests the closest ids for a mistyped one', () => {
    const result = run('scenarios/src/cli.ts', ['atack-csrf']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('Unknown scenario: atack-csrf. Did you mean attack-csrf?');
    const partial = run('scenarios/src/cli.ts', ['flow-refres']);
    expect(partial.stderr.split('\n')[0]).toBe('Unknown scenario: flow-refres. Did you mean flow-refresh?');
  });
});
