import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- bench:figures:start (written by npm run bench) -->';
const END = '<!-- bench:figures:end -->';

/**
 * Puts the run's figures into `docs/performance.md`, between its two markers; the prose around
 * them (what was profiled, how to read the figures) is written by hand and kept.
 */
export function writeFiguresInto(docPath: string, figures: string): void {
  const block = `${START}\n${figures}\n${END}`;
  const current = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Performance\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? current.slice(0, start) + block + current.slice(end + END.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(docPath, next);
}
