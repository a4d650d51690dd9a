import { describe, expect, it } from 'vitest';
import { loadLabRunConfig } from '../src/index.ts';

describe('loadLabRunConfig', () => {
  it('starts in BFF mode unless LAB_MODE says otherwise', () => {
    expect(loadLabRunConfig({}).mode).toBe('bff');
    expect(loadLabRunConfig({ LAB_MODE: ' public-client ' }).mode).toBe('public-client');
  });

  it('names LAB_MODE when the mode is unknown', () => {
    expect(() => loadLabRunConfig({ LAB_MODE: 'implicit' })).toThrow('LAB_MODE: expected bff or public-client, got "implicit"');
  });
});
