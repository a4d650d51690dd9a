import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFENCE_NAMES } from '@lab/shared';
import { SCENARIOS } from '../../src/registry.ts';
import { applyMutant, locateMutant } from '../../../scripts/mutation/apply-mutant.ts';
import { MUTANTS } from '../../../scripts/mutation/mutants.ts';
import { formatTable, isDefect, type MutantResult } from '../../../scripts/mutation/report.ts';
import { scenariosFor } from '../../../scripts/mutation/scenarios-for.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * The list of `npm run test:mutation` (scripts/mutation/mutants.ts), checked against the sources
 * on every `npm test`: a defence line that was edited or moved shows here at once, not only in the
 * next full mutation run.
 */
describe('the mutants of the defences (npm run test:mutation)', () => {
  it.each(MUTANTS.map((mutant) => [mutant.id, mutant] as const))('%s: its code occurs exactly once in its file', (_id, mutant) => {
    const source = readFileSync(path.join(ROOT, mutant.file), 'utf8');
    expect(() => locateMutant(source, mutant)).not.toThrow();
    expect(mutant.find).not.toContain('\n');
    expect(applyMutant(source, mutant)).not.toBe(source);
  });

  it('has at least one check of every defence switch', () => {
    const checked = new Set(MUTANTS.filter((mutant) => mutant.kind === 'check').map((mutant) => mutant.defence));
    expect(DEFENCE_NAMES.filter((name) => !checked.has(name))).toEqual([]);
  });

  it('names each mutant once', () => {
    const ids = MUTANTS.map((mutant) => mutant.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('gives each mutant scenarios that exist, defended runs only', () => {
    for (const mutant of MUTANTS) {
      const scenarios = scenariosFor(mutant, SCENARIOS);
      expect(scenarios, mutant.id).not.toEqual([]);
      for (const id of scenarios) expect(SCENARIOS.find((scenario) => scenario.id === id)?.attack?.run, `${mutant.id}: ${id}`).toBe('defended');
    }
  });

  it('says of each layer why the scenarios cannot see it, and which unit tests judge it', () => {
    for (const mutant of MUTANTS.filter((candidate) => candidate.kind === 'layer')) {
      expect(mutant.why, mutant.id).toBeTruthy();
      expect(mutant.tests?.length, mutant.id).toBeGreaterThan(0);
      for (const file of mutant.tests ?? []) expect(existsSync(path.join(ROOT, file)), `${mutant.id}: ${file}`).toBe(true);
    }
  });
});

describe('scenariosFor', () => {
  it('takes the attacks named after the defence and those whose weakened twin switches it off', () => {
    expect(scenariosFor({ defence: 'nonce' }, SCENARIOS)).toEqual(['attack-code-interception']);
    expect(scenariosFor({ defence: 'cookie-samesite' }, SCENARIOS)).toEqual(['attack-csrf']);
  });

  it('leaves out an attack that switches the defence off in both runs', () => {
    // The XSS token-theft scenarios switch the SPA's CSP off in both runs: they cannot judge it.
    expect(scenariosFor({ defence: 'spa-csp' }, SCENARIOS)).toEqual(['attack-xss-proxy']);
  });
});

describe('the report', () => {
  const result = (kind: 'check' | 'layer', verdict: MutantResult['verdict']): MutantResult => ({
    mutant: { id: 'm', defence: 'csrf-header', file: 'bff/src/x.ts', find: 'a || b', replace: '', kind },
    line: 3,
    scenarios: ['attack-csrf'],
    verdict,
    detail: 'why | not',
    outcomes: [],
    durationMs: 0,
  });

  it('fails the run for a check that survived, for no verdict, and not for a layer that survived', () => {
    expect(isDefect(result('check', 'survived'))).toBe(true);
    expect(isDefect(result('check', 'killed by test'))).toBe(true);
    expect(isDefect(result('check', 'killed'))).toBe(false);
    expect(isDefect(result('layer', 'survived'))).toBe(false);
    expect(isDefect(result('layer', 'no lab'))).toBe(true);
    expect(isDefect(result('layer', 'error'))).toBe(true);
  });

  it('keeps a | in code or in a reason inside its table cell', () => {
    expect(formatTable([result('check', 'survived')]).split('\n')[2]).toBe(
      '| csrf-header | bff/src/x.ts:3 | `a \\|\\| b` → (removed) | check | attack-csrf | **SURVIVED** | why \\| not |',
    );
  });
});
