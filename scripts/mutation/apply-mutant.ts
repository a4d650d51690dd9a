import type { Mutant } from './mutants.ts';

/** Where a mutant's `find` is in the source: it must be there exactly once, or the list is out of date. */
export function locateMutant(source: string, mutant: Pick<Mutant, 'id' | 'file' | 'find'>): { index: number; line: number } {
  const index = source.indexOf(mutant.find);
  if (index === -1) throw new Error(`${mutant.id}: ${mutant.file} no longer contains ${JSON.stringify(mutant.find)}: update scripts/mutation/mutants.ts`);
  if (source.indexOf(mutant.find, index + 1) !== -1) {
    throw new Error(`${mutant.id}: ${JSON.stringify(mutant.find)} occurs more than once in ${mutant.file}: make it longer in scripts/mutation/mutants.ts`);
  }
  return { index, line: source.slice(0, index).split('\n').length };
}

/** The source with the mutation applied. */
export function applyMutant(source: string, mutant: Pick<Mutant, 'id' | 'file' | 'find' | 'replace'>): string {
  const { index } = locateMutant(source, mutant);
  return `${source.slice(0, index)}${mutant.replace}${source.slice(index + mutant.find.length)}`;
}
