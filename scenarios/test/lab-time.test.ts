import { describe, expect, it } from 'vitest';
import { describeOffset, parseTimeJump } from '../src/lab-time.ts';

describe('parseTimeJump (npm run lab -- time +…)', () => {
  it.each([
    ['+301', 301],
    ['+90s', 90],
    ['+5m', 300],
    ['+8h', 28_800],
    ['+2d', 172_800],
  ])('%s is %i s', (text, seconds) => {
    expect(parseTimeJump(text)).toBe(seconds);
  });

  it.each(['301', '-5m', '+5x', '+', '+1.5h', '+5m ago', ''])('refuses %j', (text) => {
    expect(parseTimeJump(text)).toBeUndefined();
  });
});

describe('describeOffset', () => {
  it('says how far ahead, in units people use', () => {
    expect(describeOffset(0)).toBe('none: the lab runs on real time');
    expect(describeOffset(301)).toBe('5 min 1 s');
    expect(describeOffset(30_301)).toBe('8 h 25 min 1 s');
    expect(describeOffset(90_000)).toBe('1 d 1 h');
  });
});
