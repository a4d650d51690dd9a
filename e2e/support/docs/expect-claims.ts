import { expect } from 'vitest';
import type { HeaderClaim, JsonClaim, StatusClaim } from './doc-claims.ts';
import type { Answer } from './lab-client.ts';

/** The answer has the header the doc quotes, with the value it quotes (for `Content-Type`, its media type). */
export function expectHeader(answer: Answer, claim: HeaderClaim): void {
  const about = `${answer.what}: ${claim.name}`;
  if (claim.name === 'Set-Cookie') {
    const names = answer.headers.getSetCookie().map((line) => line.split('=')[0]!.trim());
    if (claim.value === undefined) expect(names, about).not.toEqual([]);
    else expect(names, about).toContain(claim.value);
    return;
  }
  const actual = answer.headers.get(claim.name);
  if (claim.value === undefined) expect(actual, about).not.toBeNull();
  else if (claim.name === 'Content-Type') expect(actual?.split(';')[0], about).toBe(claim.value);
  else expect(actual, about).toBe(claim.value);
}

/**
 * A row of an error table: every answer has the row's status, is the lab's JSON error
 * (`{ "error", "message" }`) with one of the row's codes, and carries the headers the row (and
 * the doc, for every error) quotes; every code of the row is seen.
 */
export function expectErrorRow(answers: readonly Answer[], row: { status: number; codes: readonly string[]; headers: readonly HeaderClaim[] }): void {
  expect(answers.length, 'the provocation made no request').toBeGreaterThan(0);
  for (const answer of answers) {
    expect(answer.status, `${answer.what}: status (body ${answer.text.slice(0, 200)})`).toBe(row.status);
    expect(answer.json?.error, `${answer.what}: error code`).toBeOneOf([...row.codes]);
    expect(typeof answer.json?.message, `${answer.what}: a message for humans`).toBe('string');
    for (const header of row.headers) expectHeader(answer, header);
  }
  expect(new Set(answers.map((answer) => answer.json?.error)), 'the codes seen').toEqual(new Set(row.codes));
}

/**
 * A row of the endpoint table: each answer has one of the row's statuses (and each status is
 * seen), the code quoted with its status, the headers the row quotes, and, where the row writes
 * a JSON body out, exactly its members.
 */
export function expectEndpointRow(
  answers: readonly Answer[],
  row: { statuses: readonly StatusClaim[]; headers: readonly HeaderClaim[]; json: JsonClaim | undefined },
): void {
  expect(answers.length, 'the provocation made no request').toBeGreaterThan(0);
  expect(row.statuses.length, 'the row quotes no status').toBeGreaterThan(0);
  for (const answer of answers) {
    const claim = row.statuses.find((status) => status.status === answer.status);
    expect(answer.status, `${answer.what}: status (body ${answer.text.slice(0, 200)})`).toBeOneOf(row.statuses.map((status) => status.status));
    if (claim?.code) expect(answer.json?.error, `${answer.what}: error code`).toBe(claim.code);
    for (const header of row.headers) expectHeader(answer, header);
    if (row.json) {
      expect(Object.keys(answer.json ?? {}).sort(), `${answer.what}: the body's members`).toEqual([...row.json.members].sort());
      expect(answer.json, `${answer.what}: the body's values`).toMatchObject(row.json.values);
    }
  }
  expect(new Set(answers.map((answer) => answer.status)), 'the statuses seen').toEqual(new Set(row.statuses.map((status) => status.status)));
}

/**
 * The tests a row is mapped to name what the row claims: each status with its code in one of
 * them, and each quoted header. A mapping whose tests check something else fails here.
 */
export function expectTestsNameClaims(sources: readonly string[], row: { statuses: readonly StatusClaim[]; headers: readonly HeaderClaim[] }): void {
  for (const { status, code } of row.statuses) {
    const named = sources.some((source) => new RegExp(`\\b${status}\\b`).test(source) && (code === undefined || source.includes(code)));
    expect(named, `a mapped test checks ${status}${code ? ` ${code}` : ''}`).toBe(true);
  }
  for (const { name, value } of row.headers) {
    const named = sources.some((source) => source.toLowerCase().includes(name.toLowerCase()) && (value === undefined || source.includes(value)));
    expect(named, `a mapped test checks ${name}${value ? `: ${value}` : ''}`).toBe(true);
  }
}
