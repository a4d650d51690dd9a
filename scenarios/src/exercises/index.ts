import { CODE_EXERCISES } from './code-exercises.ts';
import type { Exercise } from './exercise.ts';
import { PREDICTION_EXERCISES } from './predictions.ts';

export type { Exercise, Observation } from './exercise.ts';

/** Every exercise, in the order of the workshop: predictions first, then the hands-on ones. */
export const EXERCISES: readonly Exercise[] = [...PREDICTION_EXERCISES, ...CODE_EXERCISES];

export function findExercise(id: string): Exercise | undefined {
  return EXERCISES.find((exercise) => exercise.id === id);
}
