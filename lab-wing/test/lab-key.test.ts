import { describe, expect, it } from 'vitest';
import { checkLabKey } from '../src/index.ts';

describe('checkLabKey', () => {
  it('accepts exactly the run key', () => {
    expect(checkLabKey('k-123456', 'k-123456')).toBe(true);
    expect(checkLabKey('k-1234567', 'k-123456')).toBe(false);
    expect(checkLabKey('', 'k-123456')).toBe(false);
    expect(checkLabKey(undefined, 'k-123456')).toBe(false);
  });
});
