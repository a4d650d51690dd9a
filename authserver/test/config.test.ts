import { describe, expect, it } from 'vitest';
import { ConfigError } from '@lab/shared';
import { loadConfig } from '../src/config.ts';

const BASE = { BFF_CLIENT_SECRET: 's'.repeat(40) };

describe('AUTHSERVER_MAX_ANONYMOUS_ENTRIES', () => {
  it('is 10,000 of each kind when unset: room for a workshop', () => {
    expect(loadConfig(BASE).maxAnonymousEntries).toBe(10_000);
  });

  it('takes a whole number', () => {
    expect(loadConfig({ ...BASE, AUTHSERVER_MAX_ANONYMOUS_ENTRIES: '250' }).maxAnonymousEntries).toBe(250);
  });

  it.each(['0', '-1', '2.5', 'lots', '1000001'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ ...BASE, AUTHSERVER_MAX_ANONYMOUS_ENTRIES: value })).toThrow(
      new ConfigError('AUTHSERVER_MAX_ANONYMOUS_ENTRIES', `expected a whole number from 1 to 1000000, got "${value}"`),
    );
  });
});
