import { describe, expect, it } from 'vitest';
import { bodyOf, describeNumericDate } from '../src/xray-format.ts';
import { labNow, learnLabTime } from '../src/lab-now.ts';

// xray-format.ts is pure (no DOM): the X-ray's reading of URLs, cookies, bodies and JWT dates,
// tested in Node. What the elements make of it is tested in Chromium (elements/*.test.ts).

describe('describeNumericDate (the JWT view: exp, iat, nbf, auth_time)', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const at = (offsetSeconds: number) => now / 1000 + offsetSeconds;

  it.each([
    [0, 'in 0 s'],
    [59, 'in 59 s'],
    [-30, '30 s ago'],
    [119, 'in 119 s'],
    [120, 'in 2 min'],
    [300, 'in 5 min'],
    [-300, '5 min ago'],
    [7_199, 'in 120 min'],
    [7_200, 'in 2 h'],
    [-8 * 3600, '8 h ago'],
  ])('%i s from now reads "%s"', (offset, relative) => {
    expect(describeNumericDate(at(offset), now)).toBe(`${new Date((now / 1000 + offset) * 1000).toLocaleString()} (${relative})`);
  });

  it('reads NumericDate as seconds, not milliseconds (RFC 7519 §2)', () => {
    // 2026-01-01T12:01:00Z in seconds: a minute from `now`, in 2026 (read as milliseconds it would be January 1970).
    expect(describeNumericDate(1_767_268_860, now)).toBe(`${new Date('2026-01-01T12:01:00Z').toLocaleString()} (in 60 s)`);
  });
});

describe('bodyOf', () => {
  it('reads a form body field by field, JSON indented, anything else as text', () => {
    expect(bodyOf('grant_type=authorization_code&code=c0de')).toEqual({
      kind: 'fields',
      fields: [
        { name: 'grant_type', value: 'authorization_code' },
        { name: 'code', value: 'c0de' },
      ],
    });
    expect(bodyOf('{"a":1}')).toEqual({ kind: 'json', text: '{\n  "a": 1\n}' });
    expect(bodyOf('{"a":')).toEqual({ kind: 'text', text: '{"a":' });
    expect(bodyOf('(HTML page, 512 chars)')).toEqual({ kind: 'text', text: '(HTML page, 512 chars)' });
  });
});

describe("describeNumericDate against the lab's time", () => {
  it('counts from the lab time the X-ray learned, not from this browser clock', () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    // The lab moved 5 min 10 s ahead: a token that this browser thinks has 5 min left expired 10 s ago.
    learnLabTime(new Date(Date.now() + 310_000).toISOString());
    expect(describeNumericDate(exp)).toMatch(/\((9|10|11) s ago\)$/);
    learnLabTime(new Date().toISOString());
    expect(describeNumericDate(exp)).toMatch(/\(in 5 min\)$/);
  });

  it('ignores a time it cannot read', () => {
    learnLabTime(new Date().toISOString());
    learnLabTime('not a time');
    expect(Math.abs(labNow() - Date.now())).toBeLessThan(1_000);
  });
});
