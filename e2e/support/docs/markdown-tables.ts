import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small reader for the GitHub-flavoured pipe tables of the lab's docs. The docs hold plain
 * tables (no HTML, no multi-line cells), so some forty lines do it; a Markdown library (marked,
 * mdast) would add a dependency to every install for the same cells.
 */

/** The repository's root, where the docs are. */
export const REPO_ROOT = path.join(import.meta.dirname, '..', '..', '..');

export interface TableRow {
  /** The cells by column name, trimmed, Markdown left as written. */
  readonly cells: Readonly<Record<string, string>>;
  /** `docs/architecture.md:663`, for messages. */
  readonly at: string;
}

export interface TableLocation {
  /** The file, from the repository's root: `docs/architecture.md`. */
  readonly file: string;
  /** The heading of the section the table is in, as written: `### bff`. */
  readonly section: string;
  /** The table's header, column by column: `['code', 'status', 'when']`. */
  readonly columns: readonly string[];
}

/** The lines of one section, from its heading to the next heading of the same or a higher level. */
export function readSection(file: string, heading: string): { lines: string[]; firstLine: number } {
  const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`${file} has no section "${heading}"`);
  const level = heading.indexOf(' ');
  const next = lines.findIndex((line, index) => index > start && /^#{1,6} /.test(line) && line.indexOf(' ') <= level);
  return { lines: lines.slice(start + 1, next < 0 ? undefined : next), firstLine: start + 2 };
}

/** Reads the one table of `location.section` whose header is `location.columns`; throws if there is not exactly one. */
export function readTable(location: TableLocation): TableRow[] {
  const { lines: section, firstLine } = readSection(location.file, location.section);
  const tables: TableRow[][] = [];
  for (let index = 0; index < section.length; index += 1) {
    if (!isTableLine(section[index]) || isTableLine(section[index - 1] ?? '')) continue;
    const header = splitRow(section[index]!);
    if (header.join('|') !== location.columns.join('|')) continue;
    const rows: TableRow[] = [];
    for (let row = index + 2; row < section.length && isTableLine(section[row]!); row += 1) {
      const cells = splitRow(section[row]!);
      const at = `${location.file}:${firstLine + row}`;
      if (cells.length !== header.length) throw new Error(`${at}: ${cells.length} cells, the header has ${header.length}`);
      rows.push({ cells: Object.fromEntries(header.map((name, column) => [name, cells[column]!])), at });
    }
    tables.push(rows);
  }
  if (tables.length !== 1)
    throw new Error(`${location.file}, section "${location.section}": ${tables.length} tables with the columns ${location.columns.join(' | ')}, expected 1`);
  return tables[0]!;
}

/** The fenced code blocks of one section written in `language` (```console), each as its lines. */
export function readCodeBlocks(file: string, heading: string, language: string): string[][] {
  const { lines } = readSection(file, heading);
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (current === undefined && line.trim() === `\`\`\`${language}`) current = [];
    else if (current !== undefined && line.trim() === '```') {
      blocks.push(current);
      current = undefined;
    } else current?.push(line);
  }
  return blocks;
}

function isTableLine(line: string | undefined): line is string {
  return line?.trimStart().startsWith('|') === true;
}

/** GFM: cells are split at every `|` not escaped as `\|`, inside code spans too. */
function splitRow(line: string): string[] {
  const cells = line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/);
  return cells.map((cell) => cell.trim().replaceAll('\\|', '|'));
}
