import { DEFENCES } from '@lab/shared';
import type { Exercise } from './exercise.ts';

export interface Verdict {
  readonly right: boolean;
  /** What was read from the prediction, to show the learner how it was understood. */
  readonly read: string;
}

/**
 * Compares a prediction with the lab's answer. A short answer is read as the set of things it
 * names (HTTP statuses, error codes, defence names, file names), in any order and any case; it is
 * right when it names exactly what the lab's answer names: "403 csrf_header_missing" is wrong for
 * "403 csrf_header_missing, 401 not_authenticated", and so is naming one thing too many.
 * A choice is right when it is the letter (or the text) of the lab's option.
 */
export function judgePrediction(exercise: Pick<Exercise, 'prediction'>, prediction: string, observed: string): Verdict {
  if (exercise.prediction.kind === 'choice') {
    const letter = choiceLetter(exercise.prediction.options, prediction);
    return { right: letter !== undefined && letter === observed.trim().toLowerCase(), read: letter ?? '(not one of the options)' };
  }
  const said = significantTerms(prediction);
  const expected = significantTerms(observed);
  const right = said.size > 0 && said.size === expected.size && [...said].every((term) => expected.has(term));
  return { right, read: said.size > 0 ? [...said].join(', ') : '(no status, error code, defence or file named)' };
}

function choiceLetter(options: Readonly<Record<string, string>>, prediction: string): string | undefined {
  const text = prediction
    .trim()
    .toLowerCase()
    .replace(/^\(?([a-z])[).:]?$/, '$1');
  if (Object.hasOwn(options, text)) return text;
  return Object.entries(options).find(([, option]) => option.toLowerCase() === text)?.[0];
}

const DEFENCE_NAMES = new Set(Object.keys(DEFENCES));

/**
 * The terms a short answer names: three-digit statuses, snake_case error codes, the lab's defence
 * names, and file names (a path counts by its last part: `bff-client.ts`).
 */
export function significantTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().split(/[\s,;()"'`+&]+/)) {
    const bare = word.replace(/^[^\w/.-]+|[.:!?]+$/g, '');
    if (/^[1-5]\d\d$/.test(bare)) terms.add(bare);
    else if (/^[a-z]+(_[a-z]+)+$/.test(bare)) terms.add(bare);
    else if (DEFENCE_NAMES.has(bare)) terms.add(bare);
    else if (/^[\w./-]+\.(ts|js)$/.test(bare)) terms.add(bare.slice(bare.lastIndexOf('/') + 1));
  }
  return terms;
}
