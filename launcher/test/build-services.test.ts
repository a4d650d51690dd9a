import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildServices } from '../src/build-services.ts';

describe('buildServices', () => {
  it('builds each service once per version of the sources, and reuses the build after that', async () => {
    const first = await buildServices();
    const second = await buildServices();
    expect(second.dir).toBe(first.dir);
    expect(second.built).toBe(false);
    for (const entry of Object.values(second.entries)) expect(existsSync(entry)).toBe(true);
  }, 60_000);

  it('runs as plain JavaScript: a service with a bad setting says so in one line and exits 1', async () => {
    const { entries } = await buildServices();
    const run = spawnSync(process.execPath, [entries['resource-api']], { env: { ...process.env, API_ALGORITHMS: 'HS256' }, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^resource-api: .*API_ALGORITHMS/);
  }, 60_000);
});
