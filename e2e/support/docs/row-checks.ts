import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Answer, LabAccess } from './lab-client.ts';
import { REPO_ROOT, type TableRow } from './markdown-tables.ts';

/**
 * How each row of a doc's table is checked. Every row needs one of these, and a row the test
 * does not know fails it, so a claim added to a doc cannot go unchecked.
 */

/** The row's situation made to happen against the running lab; the answers are checked against the row. */
export interface Provoked {
  readonly provoke: (lab: LabAccess, row: TableRow) => Promise<Answer[]>;
}

/** A test, named by its file and (part of) its title. */
export interface NamedTest {
  readonly file: string;
  readonly test: string;
}

/**
 * A row whose situation the shared lab cannot make cheaply (a party stopped or frozen, 10,000
 * unfinished logins): the tests that make it. Their text must name the row's statuses, codes and
 * headers; `gap` says what part of the row none of them checks.
 */
export interface CoveredElsewhere {
  readonly coveredBy: readonly NamedTest[];
  readonly gap?: string;
}

/** A row that no test makes happen yet, said out loud: it shows as a to-do in the run. */
export interface NotCoveredYet {
  readonly notCoveredYet: string;
}

export type RowCheck = Provoked | CoveredElsewhere | NotCoveredYet;

/**
 * The source of one test: from the line of `it(`/`test(` that holds `title` to the next `it`,
 * `test` or `describe`. Throws when the file or the title is gone (the mapping went stale).
 */
export function sourceOfTest(named: NamedTest): string {
  const file = path.join(REPO_ROOT, named.file);
  if (!existsSync(file)) throw new Error(`${named.file} does not exist`);
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^\s*(it|test)(\.\w+)*\(/.test(line) && line.includes(named.test));
  if (start < 0) throw new Error(`${named.file} has no test titled "${named.test}…"`);
  const end = lines.findIndex((line, index) => index > start && /^\s*(it|test|describe)(\.\w+)*\(/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}
