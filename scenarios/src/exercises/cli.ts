import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { LabStartError } from '@lab/launcher';
import { launchBrowser } from '../browser.ts';
import { connectToLab } from '../engine/connect.ts';
import type { LabConnection } from '../engine/lab-connection.ts';
import type { Exercise, Observation } from './exercise.ts';
import { EXERCISES, findExercise } from './index.ts';
import { askPrediction, type ExerciseCliIo, paint, pose, verdict } from './present.ts';
import { exerciseLabTopology, startExerciseLab } from './private-lab.ts';
import { changedLines, restoreFromGit } from './git-file.ts';
import { settleExercise } from './settle.ts';
import { narrationWidth, wrapLine } from '../engine/wrap-lines.ts';

const USAGE = `Usage:
  npm run exercise -- --list                  every exercise (hands-on ones marked [code])
  npm run exercise -- <id>                    the question; your prediction; the lab's answer, right or wrong
  npm run exercise -- <id> --answer <value>   the same, with the prediction given (scripts, CI)
  npm run exercise -- reset <id>              a hands-on exercise: restore its file from git (only that file)
Exit status: 0 right, 1 wrong, 2 usage error or no lab, 3 a hands-on change is not in place.`;

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
  // Ctrl-C while a scenario runs: put the lab's settings back (defences, token lifetimes) first.
  const initial = await lab.connection.settings();
  const interrupt = async () => {
    io.error("\nInterrupted: restoring the lab's settings...\n");
    await Promise.all(initial.map(({ service, ...settings }) => lab.connection.update(service, settings).catch(() => undefined)));
    await lab.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  try {
    pose(exercise, lab.connection.topology, io);
    const prediction = answer ?? (await askPrediction(exercise, io));
    io.write(`\nAsking the lab at ${lab.connection.topology.spa.url}...\n`);
    const observation = await withBrowser((browser) => settle(exercise, lab.connection, browser));
    return verdict(exercise, prediction, observation, io);
  } finally {
    process.off('SIGINT', interrupt);
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
  const interrupt = async () => {
    await lab.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
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
    process.off('SIGINT', interrupt);
    await lab.stop();
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

function reset(id: string | undefined, io: ExerciseCliIo): number {
  const exercise = id ? findExercise(id) : undefined;
  if (!exercise?.code) {
    const handsOn = EXERCISES.filter((candidate) => candidate.code).map((candidate) => candidate.id);
    io.error(`${id ? `Not a hands-on exercise: ${id}.` : 'reset needs an exercise id.'} Hands-on exercises: ${handsOn.join(', ')}\n`);
    return 2;
  }
  const { file } = exercise.code;
  const failed = restoreFromGit(file);
  if (failed) {
    io.error(`git restore ${file} failed: ${failed}\n`);
    return 2;
  }
  io.write(`Restored ${file} from git (HEAD); no other file was touched. git diff -- ${file} is empty again.\n`);
  return 0;
}

function formatList(): string {
  const width = Math.max(...EXERCISES.map((exercise) => exercise.id.length));
  return EXERCISES.map((exercise) => `${exercise.id.padEnd(width)}  ${exercise.code ? '[code] ' : ''}${exercise.title}`).join('\n');
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
  // Wrapped like the narration, for a projector: to COLUMNS or the terminal, not for a pipe.
  const width = narrationWidth(process.env, process.stdout);
  return {
    write: (text) =>
      process.stdout.write(
        text
          .split('\n')
          .flatMap((line) => wrapLine(line, width))
          .join('\n'),
      ),
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
