import { styleText } from 'node:util';
import type { LabTopology } from '@lab/shared';
import type { Exercise, Observation } from './exercise.ts';
import { judgePrediction } from './judge.ts';

/** Where the exercise command writes, and how it asks (on a terminal only). */
export interface ExerciseCliIo {
  readonly write: (text: string) => void;
  readonly error: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks the learner on a terminal; undefined when there is none (then `--answer` is required). */
  readonly ask?: (question: string) => Promise<string>;
  readonly colour: boolean;
}

/** The exercise, as the learner reads it: title, task, question, options. */
export function pose(exercise: Exercise, topology: LabTopology, io: ExerciseCliIo): void {
  const lines = ['', paint(io, 'bold', `━━ ${exercise.id} · ${exercise.title}`)];
  if (exercise.code) lines.push(`${paint(io, 'cyan', 'Your task:')} ${exercise.code.task} (file: ${exercise.code.file})`);
  lines.push(`${paint(io, 'cyan', 'Question:')} ${exercise.question(topology)}`);
  if (exercise.prediction.kind === 'choice') {
    for (const [letter, option] of Object.entries(exercise.prediction.options)) lines.push(`  (${letter}) ${option}`);
  }
  io.write(`${lines.join('\n')}\n`);
}

/** Asks until the learner says something. */
export async function askPrediction(exercise: Exercise, io: ExerciseCliIo): Promise<string> {
  const asks = exercise.prediction.kind === 'choice' ? `a letter, ${Object.keys(exercise.prediction.options).join('/')}` : exercise.prediction.asks;
  for (;;) {
    const said = (await io.ask?.(`Your prediction (${asks}): `))?.trim();
    if (said) return said;
  }
}

/** The lab's answer against the prediction: right or wrong, what it showed, and why. Returns the exit status. */
export function verdict(exercise: Exercise, prediction: string, observation: Observation, io: ExerciseCliIo, after = ''): number {
  const judged = judgePrediction(exercise, prediction, observation.answer);
  const shown = exercise.prediction.kind === 'choice' ? optionText(exercise, observation.answer) : observation.answer;
  const lines = [
    '',
    `${paint(io, 'dim', 'You predicted:')} ${prediction} ${paint(io, 'dim', `(read as: ${judged.read})`)}`,
    `${paint(io, 'dim', 'The lab answered:')} ${shown}`,
    paint(io, 'dim', 'Evidence, from the trace:'),
    ...observation.evidence.map((line) => `  ${line}`),
    '',
    judged.right ? paint(io, ['bold', 'green'], 'right') : `${paint(io, ['bold', 'red'], 'wrong')}: the lab answered ${shown}`,
    `${paint(io, 'dim', 'Why:')} ${exercise.why}`,
  ];
  if (exercise.scenario) lines.push(`${paint(io, 'dim', 'The whole story:')} npm run scenario -- ${exercise.scenario}`);
  io.write(`${lines.join('\n')}\n${after}`);
  return judged.right ? 0 : 1;
}

function optionText(exercise: Exercise, letter: string): string {
  const options = exercise.prediction.kind === 'choice' ? exercise.prediction.options : {};
  return `(${letter}) ${options[letter] ?? '?'}`;
}

export function paint(io: ExerciseCliIo, style: Parameters<typeof styleText>[0], text: string): string {
  return io.colour ? styleText(style, text) : text;
}
