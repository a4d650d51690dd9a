import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { parseArgs, styleText } from 'node:util';
import type { Browser } from 'playwright-core';
import { LabStartError } from '@lab/launcher';
import type { LabTopology } from '@lab/shared';
import { launchBrowser } from '../browser.ts';
import { connectToLab } from '../engine/connect.ts';
import type { LabConnection } from '../engine/lab-connection.ts';
import type { Exercise, Observation } from './exercise.ts';
import { EXERCISES, findExercise } from './index.ts';
import { judgePrediction } from './judge.ts';
import { exerciseLabTopology, startExerciseLab } from './private-lab.ts';
import { REPO_ROOT } from './repo-root.ts';
import { settleExercise } from './settle.ts';

const USAGE = `Usage:
  npm run exercise -- --list                  every exercise (hands-on ones marked [code])
  npm run exercise -- <id>                    the question; your prediction; the lab's answer, right or wrong
  npm run exercise -- <id> --answer <value>   the same, with the prediction given (scripts, CI)
  npm run exercise -- reset <id>              a hands-on exercise: restore its file from git (only that file)
Exit status: 0 right, 1 wrong, 2 usage error or no lab, 3 a hands-on change is not in place.`;

export interface ExerciseCliIo {
  readonly write: (text: string) => void;
  readonly error: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks the learner on a terminal; undefined when there is none (then `--answer` is required). */
  readonly ask?: (question: string) => Promise<string>;
  readonly colour: boolean;
}

/** `npm run exercise -- …`: returns the exit status. */
export async function runExerciseCli(argv: readonly string[], io: ExerciseCliIo = processIo()): Promise<number> {
  let parsed: ReturnType<typeof parseExerciseArgs>;
  try {
    parsed = parseExerciseArgs(argv);
  } catch (error) {
    io.error(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.write(`${USAGE}\n`);
    return 0;
  }
  if (values.list) {
    io.write(`${formatList()}\n`);
    return 0;
  }
  if (positionals[0] === 'reset') return reset(positionals[1], io);
  if (positionals.length !== 1) {
    io.error(`${USAGE}\n`);
    return 2;
  }
  const exercise = findExercise(positionals[0] as string);
  if (!exercise) {
    io.error(`Unknown exercise: ${positionals[0]}. Every exercise: npm run exercise -- --list\n`);
    return 2;
  }
  if (values.answer === undefined && !io.ask) {
    io.error('No terminal to ask for your prediction: give it with --answer <value>.\n');
    return 2;
  }
  return exercise.code ? runCodeExercise(exercise, values.answer, io) : runPredictionExercise(exercise, values.answer, io);
}

async function runPredictionExercise(exercise: Exercise, answer: string | undefined, io: ExerciseCliIo): Promise<number> {
  let lab: Awaited<ReturnType<typeof connectToLab>>;
  try {
    lab = await connectToLab(io.env);
  } catch (error) {
    if (error instanceof LabStartError) {
      io.error(`The lab did not start: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    pose(exercise, lab.connection.topology, io);
    const prediction = answer ?? (await askPrediction(exercise, io));
    io.write(`\nAsking the lab at ${lab.connection.topology.spa.url}...\n`);
    const observation = await withBrowser((browser) => settle(exercise, lab.connection, browser));
    return verdict(exercise, prediction, observation, io);
  } finally {
    await lab.stop();
  }
}

async function runCodeExercise(exercise: Exercise, answer: string | undefined, io: ExerciseCliIo): Promise<number> {
  const code = exercise.code;
  if (!code) throw new Error(`${exercise.id} is not a hands-on exercise`);
  pose(exercise, exerciseLabTopology(io.env), io);
  const diff = changedLines(code.file);
  io.write(
    `${paint(io, 'dim', 'Your change:')} ${diff === 0 ? `none yet (git diff -- ${code.file} is empty)` : `${diff} line(s) added or removed in ${code.file} (see git diff -- ${code.file})`}\n`,
  );
  const prediction = answer ?? (await askPrediction(exercise, io));
  io.write(
    `\nStarting a lab of this exercise's own from your working tree (ports of ${exerciseLabTopology(io.env).spa.url}), then running ${code.scenario}...\n`,
  );
  let lab: Awaited<ReturnType<typeof startExerciseLab>>;
  try {
    lab = await startExerciseLab(io.env);
  } catch (error) {
    if (error instanceof LabStartError) {
      io.error(`The exercise's lab did not start: ${error.message}\n(A change that does not compile stops the BFF: see .lab/exercise-logs/bff.log.)\n`);
      return 2;
    }
    throw error;
  }
  try {
    const observation = await withBrowser((browser) => settle(exercise, lab.connection, browser));
    if (!observation.changeInPlace) {
      io.write(`\n${paint(io, ['bold', 'yellow'], 'not in place')}: ${code.scenario} still passes, so the defence still holds in your working tree.\n`);
      io.write(`${observation.evidence.map((line) => `  ${line}`).join('\n')}\n`);
      io.write(`To do: ${code.task}\nThen run this exercise again. Your prediction was not judged.\n`);
      return 3;
    }
    io.write(`\n${code.scenario} now fails: your change is in place.\n`);
    return verdict(exercise, prediction, observation, io, `\nUndo it: npm run exercise -- reset ${exercise.id}\n`);
  } finally {
    await lab.stop();
  }
}

function pose(exercise: Exercise, topology: LabTopology, io: ExerciseCliIo): void {
  const lines = ['', paint(io, 'bold', `━━ ${exercise.id} · ${exercise.title}`)];
  if (exercise.code) lines.push(`${paint(io, 'cyan', 'Your task:')} ${exercise.code.task} (file: ${exercise.code.file})`);
  lines.push(`${paint(io, 'cyan', 'Question:')} ${exercise.question(topology)}`);
  if (exercise.prediction.kind === 'choice') {
    for (const [letter, option] of Object.entries(exercise.prediction.options)) lines.push(`  (${letter}) ${option}`);
  }
  io.write(`${lines.join('\n')}\n`);
}

async function askPrediction(exercise: Exercise, io: ExerciseCliIo): Promise<string> {
  const asks = exercise.prediction.kind === 'choice' ? `a letter, ${Object.keys(exercise.prediction.options).join('/')}` : exercise.prediction.asks;
  for (;;) {
    const said = (await io.ask?.(`Your prediction (${asks}): `))?.trim();
    if (said) return said;
  }
}

function settle(exercise: Exercise, lab: LabConnection, browser: () => Promise<Browser>): Promise<Observation> {
  return settleExercise(exercise, lab, browser);
}

/** Runs `body` with a browser started on first use, and closes it afterwards. */
async function withBrowser<T>(body: (browser: () => Promise<Browser>) => Promise<T>): Promise<T> {
  let started: Promise<Browser> | undefined;
  try {
    return await body(() => {
      started ??= launchBrowser();
      return started;
    });
  } finally {
    if (started) await (await started.catch(() => undefined))?.close();
  }
}

function verdict(exercise: Exercise, prediction: string, observation: Observation, io: ExerciseCliIo, after = ''): number {
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

function reset(id: string | undefined, io: ExerciseCliIo): number {
  const exercise = id ? findExercise(id) : undefined;
  if (!exercise?.code) {
    const handsOn = EXERCISES.filter((candidate) => candidate.code).map((candidate) => candidate.id);
    io.error(`${id ? `Not a hands-on exercise: ${id}.` : 'reset needs an exercise id.'} Hands-on exercises: ${handsOn.join(', ')}\n`);
    return 2;
  }
  const { file } = exercise.code;
  // Only this file, to the committed version: the learner's other work is left alone.
  const restored = spawnSync('git', ['restore', '--source=HEAD', '--staged', '--worktree', '--', file], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (restored.status !== 0) {
    io.error(`git restore ${file} failed: ${restored.stderr.trim()}\n`);
    return 2;
  }
  io.write(`Restored ${file} from git (HEAD); no other file was touched. git diff -- ${file} is empty again.\n`);
  return 0;
}

/** Lines added or removed in the file against HEAD (0 when unchanged or not a git checkout). */
function changedLines(file: string): number {
  const diff = spawnSync('git', ['diff', '--numstat', 'HEAD', '--', file], { cwd: REPO_ROOT, encoding: 'utf8' });
  const [added = '0', removed = '0'] = diff.stdout.trim().split(/\s+/);
  return (Number(added) || 0) + (Number(removed) || 0);
}

function formatList(): string {
  const width = Math.max(...EXERCISES.map((exercise) => exercise.id.length));
  return EXERCISES.map((exercise) => `${exercise.id.padEnd(width)}  ${exercise.code ? '[code] ' : ''}${exercise.title}`).join('\n');
}

function paint(io: ExerciseCliIo, style: Parameters<typeof styleText>[0], text: string): string {
  return io.colour ? styleText(style, text) : text;
}

function parseExerciseArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      list: { type: 'boolean' },
      answer: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function processIo(): ExerciseCliIo {
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  return {
    write: (text) => process.stdout.write(text),
    error: (text) => process.stderr.write(text),
    env: process.env,
    colour: process.stdout.isTTY === true && !process.env.NO_COLOR && !process.argv.includes('--no-color'),
    ask: tty
      ? async (question) => {
          const prompt = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return await prompt.question(question);
          } finally {
            prompt.close();
          }
        }
      : undefined,
  };
}
