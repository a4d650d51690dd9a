import { parseArgs } from 'node:util';
import { distance } from 'fastest-levenshtein';
import { createInterface } from 'node:readline/promises';
import { DEFENCES } from '@lab/shared';
import { LabStartError } from '@lab/launcher';
import { launchBrowser } from './browser.ts';
import { connectToLab, type ConnectedLab } from './engine/connect.ts';
import { startPrivateLab } from './engine/private-lab.ts';
import { Narrator } from './engine/narrate.ts';
import { narrationWidth } from './engine/wrap-lines.ts';
import { runScenario } from './engine/run-scenario.ts';
import { leadLabTimeForSteps } from './engine/hold-lab-time.ts';
import type { Scenario, ScenarioResult, StepInput } from './engine/scenario.ts';
import { CLI_SCENARIOS } from './registry.ts';
import { describeSetup } from './engine/scenario.ts';
import type { LabConnection } from './engine/lab-connection.ts';
import { writeReport } from './report/write-report.ts';
import { scenarioEndedLine, scenarioListOf, stepStartedLine } from './engine/progress-lines.ts';

const USAGE = `Usage:
  npm run scenario -- --list              every scenario, with its title (and, for attacks, its defence)
  npm run scenario -- <id> [<id>...]      run scenarios against the running lab, narrated
  npm run scenarios                       run them all, then a summary table
Options:
  --json      print one JSON document per scenario instead of the narration (with --list: the list as JSON)
  --progress-json  instead of the narration, one JSON line per step as it starts and one at the end
  --step      wait for Enter before each step (for a live demo); the lab's time stands still while it waits
  --brief     for a live room: an attack's sign-in in one line, bodies only when they are the point,
              "Look at" again at the end of each step (lines wrap to COLUMNS or the terminal's width)
  --headed    show the browser
  --lanes N   run N scenarios at a time, each in a lab of its own (default 2; LAB_SCENARIO_LANES);
              the first is the running lab, the others start for the run and stop after it
  --report    also write reports/<id>.html: the run as one self-contained page (steps, exchanges, diagram, screenshots)
  --no-color  plain output (also when NO_COLOR is set or the output is not a terminal)`;

/**
 * The scenario command line. Returns the exit status: 0 when every expectation held, 1 when one
 * did not, 2 for a usage error or a lab that would not start.
 */
export async function runCli(argv: readonly string[], registry: readonly Scenario[] = CLI_SCENARIOS): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  let lanesAsked: number;
  try {
    parsed = parseCliArgs(argv);
    lanesAsked = lanesWanted(parsed.values.lanes, process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.list) {
    process.stdout.write(`${values.json ? scenarioListOf(registry) : formatList(registry)}\n`);
    return 0;
  }
  const unknown = positionals.filter((id) => !registry.some((scenario) => scenario.id === id));
  if (unknown.length > 0) {
    for (const id of unknown) {
      const near = suggestionsFor(id, registry);
      process.stderr.write(`Unknown scenario: ${id}.${near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : ''}\n`);
    }
    process.stderr.write('Every scenario: npm run scenario -- --list\n');
    return 2;
  }
  const chosen = values.all ? registry : registry.filter((scenario) => positionals.includes(scenario.id));
  if (chosen.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  // Either machine-readable form replaces the narration.
  const narrated = !values.json && !values['progress-json'];
  const colour = !values['no-color'] && narrated && process.stdout.isTTY === true && !process.env.NO_COLOR;
  // Side by side only where nobody watches one story unfold: not in step mode, nor headed. The
  // other lanes' labs start while the first lab is found or started, and the browser launched.
  const lanesToStart = values.step || values.headed ? 1 : Math.min(lanesAsked, chosen.length);
  const privateLabs = Array.from({ length: lanesToStart - 1 }, (_, index) => startPrivateLab(index + 2));
  const stopPrivateLabs = () => Promise.all(privateLabs.map(async (starting) => (await starting.catch(() => undefined))?.stop()));
  let lab: Awaited<ReturnType<typeof connectToLab>>;
  try {
    if (narrated) process.stdout.write('Connecting to the lab (starting it if it is not running)...\n');
    lab = await connectToLab();
  } catch (error) {
    await stopPrivateLabs();
    if (error instanceof LabStartError) {
      process.stderr.write(`The lab did not start: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // The operations scenarios need the Redis set-up; in another lab they are skipped, and say how to run them.
  const fits = await fitsLab(lab.connection);
  const selected = chosen.filter(fits);
  for (const skipped of chosen) {
    // Only a scenario with a set-up of its own can fail to fit.
    if (fits(skipped) || !skipped.setup) continue;
    process.stderr.write(`${skipped.id} runs only in the Redis set-up (${describeSetup(skipped.setup)} npm start): skipped.\n`);
  }
  if (selected.length === 0) {
    await Promise.all([lab.stop(), stopPrivateLabs()]);
    return 2;
  }
  const narration = { brief: values.brief, width: narrationWidth(process.env, process.stdout), topology: lab.connection.topology };
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  try {
    browser = await launchBrowser({ headed: values.headed });
  } catch (error) {
    await Promise.all([lab.stop(), stopPrivateLabs()]);
    process.stderr.write(
      `The browser did not start: ${error instanceof Error ? error.message : String(error)}\nSet LAB_CHROMIUM to a Chromium executable, or see the README (The test browser).\n`,
    );
    return 2;
  }
  const labs: ConnectedLab[] = [lab];
  let laneCount = 1;
  const settingsOf = new Map<LabConnection, Awaited<ReturnType<LabConnection['settings']>>>();
  settingsOf.set(lab.connection, await lab.connection.settings());
  // Ctrl-C in the middle of a demo: put the lab's defences back, and let its time run, before leaving.
  const interrupt = async (why = 'Interrupted', status = 130) => {
    process.stderr.write(`\n${why}: restoring the lab's settings...\n`);
    if (values.step) await lab.connection.holdTime(false).catch(() => undefined);
    await Promise.all(
      [...settingsOf].flatMap(([connection, initial]) =>
        initial.map(({ service, ...settings }) => connection.update(service, settings).catch(() => undefined)),
      ),
    );
    await browser.close().catch(() => undefined);
    await Promise.all([lab.stop().catch(() => undefined), stopPrivateLabs().catch(() => undefined)]);
    process.exit(status);
  };
  const prompt = values.step ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  const onSigint = () => void interrupt();
  process.once('SIGINT', onSigint);
  prompt?.once('SIGINT', onSigint);
  // Step mode's input ends (a closed pipe, Ctrl-D): no Enter will ever come, and the prompt would
  // wait, holding the lab's time, for ever.
  const onInputEnd = () => void interrupt('The input ended', 1);
  prompt?.once('close', onInputEnd);
  const results: ScenarioResult[] = [];
  const runStarted = Date.now();
  // Step mode: the lab's time stands still while the instructor talks (engine/hold-lab-time.ts).
  const holdLabTimeBeforeStep = values.step ? { warn: (line: string) => process.stderr.write(`${line}\n`) } : undefined;
  try {
    if (values.step) {
      const line = await leadLabTimeForSteps(lab.connection).catch(
        (error: unknown) =>
          `Step mode: the lab's time could not be put ahead (${error instanceof Error ? error.message : String(error)}); it may run on between steps.`,
      );
      (narrated ? process.stdout : process.stderr).write(`${line}\n`);
    }
    // The other lanes' labs, started above: each one that started is a lane, while there are scenarios for it.
    for (const outcome of await Promise.allSettled(privateLabs)) {
      if (outcome.status === 'fulfilled' && labs.length < selected.length) labs.push(outcome.value);
      if (outcome.status === 'rejected') {
        const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        process.stderr.write(`A lab for another lane did not start (${reason}): fewer scenarios run side by side.\n`);
      }
    }
    for (const each of labs.slice(1)) settingsOf.set(each.connection, await each.connection.settings());
    laneCount = labs.length;
    if (laneCount > 1 && narrated) {
      process.stdout.write(`Running ${selected.length} scenarios in ${laneCount} labs side by side (--lanes 1 for one at a time)...\n`);
    }
    // Each scenario's output is kept until it ends, then written in the order they were asked for.
    const outputs: (string | undefined)[] = selected.map(() => undefined);
    let printed = 0;
    const flush = () => {
      while (printed < outputs.length && outputs[printed] !== undefined) process.stdout.write(outputs[printed++] as string);
    };
    const runOne = async (index: number, connection: LabConnection): Promise<void> => {
      const scenario = selected[index] as Scenario;
      const kept: string[] = [];
      // One lane: the narration is written as it happens (a demo watches it); several: kept per scenario.
      const write = (chunk: string) => {
        if (laneCount === 1) process.stdout.write(chunk);
        else kept.push(chunk);
      };
      const narrator = new Narrator(write, colour, { ...narration, topology: connection.topology });
      if (narrated) narrator.intro(scenario);
      const progress = values['progress-json'] ? (input: StepInput, number: number) => write(stepStartedLine(scenario, input, number)) : undefined;
      const result = await runScenario(scenario, {
        lab: connection,
        browser,
        beforeStep:
          prompt || progress
            ? async (input, number) => {
                if (prompt) await prompt.question(`\n[Enter] step ${number}: ${input.actor} ${input.action} `);
                progress?.(input, number);
              }
            : undefined,
        onStep: narrated ? (step) => narrator.step(step) : undefined,
        holdLabTimeBeforeStep,
        reportScreenshots: values.report,
      });
      results[index] = result;
      if (values.json) write(`${JSON.stringify(result, withoutPictures, 2)}\n`);
      if (values['progress-json']) write(scenarioEndedLine(result));
      if (narrated) narrator.summary(result);
      if (values.report) {
        const file = writeReport(scenario, result, connection.topology.spa.url, undefined, connection.topology);
        if (narrated) write(`Report: ${file}\n`);
      }
      outputs[index] = kept.join('');
      flush();
    };
    // The first lane takes scenarios from the front of the list, the others from its end: they meet
    // in the middle, among short ones, so no lane waits long for the last one of another. A
    // scenario that needs the connected lab's set-up (the Redis set-up) runs there, never in a private lab.
    const taken = new Set<number>();
    const lane = async (connection: LabConnection, own: boolean): Promise<void> => {
      for (;;) {
        const order = own ? selected.keys() : [...selected.keys()].reverse();
        const index = [...order].find((at) => !taken.has(at) && (own || selected[at]?.setup === undefined));
        if (index === undefined) return;
        taken.add(index);
        await runOne(index, connection);
      }
    };
    await Promise.all(labs.map((each, at) => lane(each.connection, at === 0)));
  } finally {
    process.off('SIGINT', onSigint);
    prompt?.off('close', onInputEnd);
    // Each step's wait released its hold; this is for a run that ended inside one.
    if (values.step) await lab.connection.holdTime(false).catch(() => undefined);
    prompt?.close();
    await browser.close();
    // Every private lab, also one that started but found no scenario left for it.
    await Promise.all([lab.stop(), stopPrivateLabs()]);
  }
  if (narrated && results.length > 1) process.stdout.write(`${formatTable(results, Date.now() - runStarted)}\n`);
  return results.every((result) => result.pass) ? 0 : 1;
}

/** The JSON output names the screenshots; the pictures themselves are in the report. */
function withoutPictures(key: string, value: unknown): unknown {
  return key === 'png' && typeof value === 'string' ? `(PNG, ${value.length} base64 characters: see the report)` : value;
}

function formatList(registry: readonly Scenario[]): string {
  const width = Math.max(...registry.map((scenario) => scenario.id.length));
  return registry
    .map((scenario) => {
      const defence = scenario.defence ? `  [defence: ${scenario.defence}: ${DEFENCES[scenario.defence].what}]` : '';
      const setup = scenario.setup ? `  [Redis set-up only: ${describeSetup(scenario.setup)} npm start]` : '';
      return `${scenario.id.padEnd(width)}  ${scenario.title}${defence}${setup}`;
    })
    .join('\n');
}

/** Which scenarios the connected lab can run: those without a set-up of their own, and those whose set-up it has. */
async function fitsLab(connection: LabConnection): Promise<(scenario: Scenario) => boolean> {
  const store = await connection.store().catch(() => undefined);
  return (scenario) => scenario.setup === undefined || (store?.kind === scenario.setup.store && store.instances.length >= scenario.setup.bffInstances);
}

function formatTable(results: readonly ScenarioResult[], wallMs: number): string {
  const width = Math.max(8, ...results.map((result) => result.id.length));
  const lines = ['', `${'scenario'.padEnd(width)}  result  seconds  expectations`];
  for (const result of results) {
    const held = result.expectations.filter((expectation) => expectation.pass).length;
    lines.push(
      `${result.id.padEnd(width)}  ${(result.pass ? 'pass' : 'FAIL').padEnd(6)}  ${(result.durationMs / 1000).toFixed(1).padStart(7)}  ${held}/${result.expectations.length}`,
    );
  }
  const passed = results.filter((result) => result.pass).length;
  const total = results.reduce((sum, result) => sum + result.durationMs, 0);
  const side = total > wallMs * 1.1 ? `, ${(total / 1000).toFixed(1)} s of scenarios side by side` : '';
  lines.push('', `${passed} passed, ${results.length - passed} failed in ${(wallMs / 1000).toFixed(1)} s${side}`);
  return lines.join('\n');
}

/**
 * How many scenarios run side by side (`--lanes`, else `LAB_SCENARIO_LANES`, else 2): each in a
 * lab of its own, since a scenario sets the lab's switches for its run and reads its trace. Two
 * suit a 2-core machine: a scenario spends most of its time waiting for a browser or a service.
 */
function lanesWanted(option: string | undefined, env: Readonly<Record<string, string | undefined>>): number {
  const given = option ?? env.LAB_SCENARIO_LANES;
  if (given === undefined || given === '') return 2;
  const lanes = Number(given);
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 8) throw new Error(`--lanes must be a whole number from 1 to 8, not "${given}".`);
  return lanes;
}

/** The command line's options (node:util parseArgs). */
function parseCliArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      list: { type: 'boolean' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      'progress-json': { type: 'boolean' },
      step: { type: 'boolean' },
      brief: { type: 'boolean' },
      headed: { type: 'boolean' },
      report: { type: 'boolean' },
      lanes: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The ids closest to a mistyped one: within a third of its length in edits, or containing it; at most three. */
function suggestionsFor(id: string, registry: readonly Scenario[]): string[] {
  const ranked = registry
    .map((scenario) => ({ id: scenario.id, distance: distance(id, scenario.id) }))
    .filter((candidate) => candidate.distance <= Math.max(2, Math.floor(id.length / 3)) || candidate.id.includes(id))
    .sort((a, b) => a.distance - b.distance);
  return ranked.slice(0, 3).map((candidate) => candidate.id);
}
