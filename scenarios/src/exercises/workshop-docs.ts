import { resolveTopology } from '@lab/shared';
import type { Exercise } from './exercise.ts';
import { EXERCISES } from './index.ts';

/** The worksheet and the answer key speak of the default ports; `npm run exercise` shows the ones in force. */
const DEFAULT_TOPOLOGY = resolveTopology({});

const GENERATED = '<!-- Generated from scenarios/src/exercises by `npm run docs:workshop`: edit the exercises, not this file. -->';

/** The learner's hand-out: the questions and the commands, no answers. */
export function renderWorksheet(exercises: readonly Exercise[] = EXERCISES): string {
  const out = [
    '# Workshop worksheet: predict, then let the lab answer',
    '',
    GENERATED,
    '',
    'For each exercise: read the question, write down your prediction, then run the command. It asks',
    'for your prediction, runs the scenario or the requests that settle the question against your lab',
    '(`npm start`, or a lab it starts itself), and says **right** or **wrong** with the exchanges from',
    'the trace that show it. The URLs below are the defaults; the command prints the ones in force.',
    '',
    'The hands-on exercises ask you to change one file of the BFF first. `git diff` shows your change;',
    '`npm run exercise -- reset <id>` puts that one file back as it was committed.',
    '',
  ];
  exercises.forEach((exercise, index) => {
    out.push(`## ${index + 1}. ${exercise.title}`, '');
    if (exercise.code) {
      out.push(`**Your task** (in \`${exercise.code.file}\`): ${exercise.code.task}`, '');
    }
    out.push(exercise.question(DEFAULT_TOPOLOGY), '');
    if (exercise.prediction.kind === 'choice') {
      for (const [letter, option] of Object.entries(exercise.prediction.options)) out.push(`- (${letter}) ${option}`);
      out.push('');
      out.push('My prediction (a letter): ____');
    } else {
      out.push(`My prediction (${exercise.prediction.asks.replace(/ \(e\.g\. [^)]*\)/, '')}): ____`);
    }
    const undo = exercise.code ? `, then undo your change: \`npm run exercise -- reset ${exercise.id}\`` : '';
    out.push('', `Check it: \`npm run exercise -- ${exercise.id}\`${undo}`, '');
  });
  return `${out.join('\n').trimEnd()}\n`;
}

/** The instructor's key: each exercise's answer as the lab gives it, and why. */
export function renderAnswerKey(exercises: readonly Exercise[] = EXERCISES): string {
  const out = [
    '# Workshop answer key',
    '',
    GENERATED,
    '',
    'The answers the lab gives as built (the test suite checks them against the running lab). The',
    'command judges a prediction by what the lab answers, not by this page.',
    '',
    '| # | exercise | answer |',
    '| --- | --- | --- |',
    ...exercises.map((exercise, index) => `| ${index + 1} | \`${exercise.id}\` | ${shownAnswer(exercise)} |`),
    '',
  ];
  exercises.forEach((exercise, index) => {
    out.push(`## ${index + 1}. ${exercise.title}`, '');
    if (exercise.code)
      out.push(
        `Task (in \`${exercise.code.file}\`): ${exercise.code.task} Judged by \`${exercise.code.scenario}\`, which fails once the change is in place.`,
        '',
      );
    out.push(`Question: ${exercise.question(DEFAULT_TOPOLOGY)}`, '', `**Answer:** ${shownAnswer(exercise)}`, '', exercise.why, '');
    if (exercise.scenario) out.push(`The whole story: \`npm run scenario -- ${exercise.scenario}\``, '');
  });
  return `${out.join('\n').trimEnd()}\n`;
}

function shownAnswer(exercise: Exercise): string {
  if (exercise.prediction.kind === 'choice') return `(${exercise.answer}) ${exercise.prediction.options[exercise.answer]}`;
  return `\`${exercise.answer}\``;
}
