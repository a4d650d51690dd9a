import { styleText } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { narrationWidth, wrapLine } from '../../src/engine/wrap-lines.ts';

describe('wrapping the narration for a terminal', () => {
  it('breaks at spaces and continues under the line indentation plus two', () => {
    expect(wrapLine('  ✓ the BFF refuses every one: 403 csrf_header_missing', 30)).toEqual(['  ✓ the BFF refuses every one:', '    403 csrf_header_missing']);
  });

  it('leaves a line that fits, and every line when there is no width', () => {
    expect(wrapLine('short', 80)).toEqual(['short']);
    const long = 'word '.repeat(100).trim();
    expect(wrapLine(long, undefined)).toEqual([long]);
  });

  it('cuts a word longer than the line at a seam of the URL, else at the width', () => {
    const lines = wrapLine('  GET http://localhost:5173/bff/callback?code=abcdefghijklmnopqrstuvwxyz&state=0123456789abcdefghij 302', 40);
    expect(lines.every((line) => line.length <= 40)).toBe(true);
    expect(lines.join('').replaceAll(' ', '')).toBe('GEThttp://localhost:5173/bff/callback?code=abcdefghijklmnopqrstuvwxyz&state=0123456789abcdefghij302');
    expect(lines[1]?.trimStart().startsWith('http://')).toBe(true);
  });

  it('does not count colour codes towards the width', () => {
    const line = `${styleText('green', '✓')} ${'a'.repeat(10)} ${styleText('dim', '(b)')}`;
    expect(wrapLine(line, 16)).toEqual([line]);
  });

  it('never gives a line wider than the width, and keeps every word (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z/&?:.=_-]{1,60}$/), { maxLength: 40 }),
        fc.integer({ min: 20, max: 120 }),
        fc.nat(12),
        (words, width, indent) => {
          const line = `${' '.repeat(indent)}${words.join(' ')}`;
          const lines = wrapLine(line, width);
          expect(lines.every((wrapped) => wrapped.length <= width)).toBe(true);
          expect(lines.join('').replace(/\s/g, '')).toBe(words.join(''));
        },
      ),
    );
  });

  it('wraps to COLUMNS when set, else to a terminal, and not at all for a pipe', () => {
    expect(narrationWidth({ COLUMNS: '72' }, { isTTY: false })).toBe(72);
    expect(narrationWidth({}, { isTTY: true, columns: 100 })).toBe(100);
    expect(narrationWidth({}, { isTTY: false, columns: 100 })).toBeUndefined();
    expect(narrationWidth({ COLUMNS: 'wide' }, {})).toBeUndefined();
  });
});
