import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../../src/exercises/index.ts';
import { significantTerms } from '../../src/exercises/judge.ts';
import { renderAnswerKey, renderWorksheet } from '../../src/exercises/workshop-docs.ts';

const DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'workshop');
const worksheet = readFileSync(path.join(DIR, 'worksheet.md'), 'utf8');

describe('docs/workshop: the worksheet and the answer key', () => {
  it('are what the exercise definitions generate (run `npm run docs:workshop` after changing an exercise)', () => {
    expect(worksheet).toBe(renderWorksheet());
    expect(readFileSync(path.join(DIR, 'answer-key.md'), 'utf8')).toBe(renderAnswerKey());
  });

  it('has at least 16 exercises, 3 of them hands-on, each with its command', () => {
    expect(EXERCISES.length).toBeGreaterThanOrEqual(16);
    expect(EXERCISES.filter((exercise) => exercise.code).length).toBeGreaterThanOrEqual(3);
    for (const exercise of EXERCISES) expect(worksheet).toContain(`\`npm run exercise -- ${exercise.id}\``);
  });

  /** One exercise's part of the worksheet, from its heading to the next. */
  function sectionOf(index: number): string {
    const start = worksheet.indexOf(`\n## ${index + 1}. `);
    const end = worksheet.indexOf('\n## ', start + 1);
    return worksheet.slice(start, end === -1 ? undefined : end);
  }

  it.each(EXERCISES.map((exercise, index) => [exercise.id, index] as const))('the worksheet gives no answer to %s', (_id, index) => {
    const exercise = EXERCISES[index]!;
    const section = sectionOf(index);
    expect(section).not.toContain(exercise.why);
    expect(section).not.toMatch(/Answer:|\*\*Answer/);
    if (exercise.prediction.kind === 'short') {
      expect(section).not.toContain(exercise.answer);
      // No error code or file of the answer, anywhere in the section (statuses and defence names
      // are words a question may need, e.g. "`state`").
      for (const term of significantTerms(exercise.answer)) {
        if (/_|\.ts$/.test(term)) expect(section).not.toContain(term);
      }
    }
  });

  it('the answer key gives each answer with its explanation', () => {
    const key = renderAnswerKey();
    for (const exercise of EXERCISES) {
      expect(key).toContain(exercise.why);
      expect(key).toContain(`| \`${exercise.id}\` |`);
    }
  });
});
