import { stripVTControlCharacters } from 'node:util';

/**
 * The width to wrap the narration to: `COLUMNS` when set, else the terminal's width; none
 * (undefined) when the output is not a terminal and `COLUMNS` is not set, so that a file or a
 * pipe gets one line per item, as before.
 */
export function narrationWidth(env: Readonly<Record<string, string | undefined>>, stdout: { isTTY?: boolean; columns?: number }): number | undefined {
  const columns = Number.parseInt(env.COLUMNS ?? '', 10);
  if (Number.isInteger(columns) && columns >= 20) return columns;
  return stdout.isTTY === true && stdout.columns !== undefined && stdout.columns >= 20 ? stdout.columns : undefined;
}

/**
 * Wraps one line of narration to `width` columns at spaces, continuing under its own indentation
 * plus two. A word longer than a whole line (a URL, a token) is cut where it has a natural seam
 * (`&`, `?`, `/`, `,`), else at the width: no line is ever wider than `width`. Colour codes do not
 * count towards the width.
 */
export function wrapLine(line: string, width: number | undefined): string[] {
  if (width === undefined || visible(line) <= width) return [line];
  const indent = ' '.repeat(Math.min(visible(line.match(/^\s*/)?.[0] ?? ''), Math.floor(width / 3)) + 2);
  const words = line.trimStart().split(' ');
  const lines: string[] = [];
  let current = line.slice(0, line.length - line.trimStart().length);
  let fresh = true;
  const room = () => width - visible(current) - (fresh ? 0 : 1);
  for (let word of words) {
    if (visible(word) <= room()) {
      current += fresh ? word : ` ${word}`;
      fresh = false;
      continue;
    }
    if (!fresh) {
      lines.push(current);
      current = indent;
      fresh = true;
    }
    word = visible(word) > width - indent.length ? stripVTControlCharacters(word) : word;
    while (visible(word) > room()) {
      const cut = seam(word, room());
      lines.push(current + word.slice(0, cut));
      current = indent;
      word = word.slice(cut);
    }
    current += word;
    fresh = false;
  }
  lines.push(current);
  return lines.map((wrapped) => wrapped.trimEnd());
}

/** Where to cut a long word so that its first part fits in `room`: after a seam if there is one in the second half. */
function seam(word: string, room: number): number {
  const head = word.slice(0, room);
  const at = Math.max(head.lastIndexOf('&'), head.lastIndexOf('?'), head.lastIndexOf('/'), head.lastIndexOf(','));
  return at >= room / 2 ? at + 1 : room;
}

function visible(text: string): number {
  return stripVTControlCharacters(text).length;
}
