/**
 * One lab, one browser, some scenarios: the run of one mutant, in a process of its own so that the
 * mutation run can bound it (on overrun it sends SIGTERM, then kills the process group).
 *
 *   node --import tsx scripts/mutation/run-mutant.ts --root <source tree> --out <file.json> <scenario id>...
 *
 * The lab is started from `--root` (a copy of the sources, one of them mutated), on the mutation
 * run's own ports, and its launcher and scenarios are imported from there too. The outcome of each
 * scenario goes to `--out`: whether it passed, the names of the expectations that failed, the run's
 * error. No expectation's values: they may hold tokens.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as Launcher from '../../launcher/src/index.ts';
import { mutationLabPorts, type ScenarioOutcome } from './outcome.ts';

/** The part of the copy's `@lab/scenarios` this run uses (its types need the DOM library: not in this project). */
interface ScenariosModule {
  launchBrowser(): Promise<{ close(): Promise<void> }>;
  LabConnection: new (topology: Launcher.RunningLab['topology'], controlKey: string) => object;
  findScenario(id: string): object | undefined;
  runScenario(
    scenario: object,
    options: { lab: object; browser: object },
  ): Promise<{
    readonly pass: boolean;
    readonly error?: string;
    readonly expectations: ReadonlyArray<{ readonly name: string; readonly pass: boolean }>;
  }>;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { root: { type: 'string' }, out: { type: 'string' } } });
if (!values.root || !values.out || positionals.length === 0) {
  process.stderr.write('usage: run-mutant.ts --root <source tree> --out <file.json> <scenario id>...\n');
  process.exit(2);
}
const root = path.resolve(values.root);
const out = path.resolve(values.out);

const launcher = (await import(pathToFileURL(path.join(root, 'launcher/src/index.ts')).href)) as typeof Launcher;
const scenarios = (await import(pathToFileURL(path.join(root, 'scenarios/src/index.ts')).href)) as ScenariosModule;

const base = { ...process.env };
// The mutants are judged against the lab as built: no defence off, the BFF mode, the recommended flow.
for (const variable of ['LAB_WEAKEN', 'LAB_MODE', 'LAB_FLOW', 'LAB_CONTROL_KEY', 'BFF_CLIENT_SECRET']) delete base[variable];
const env = launcher.makeLabEnv(base, mutationLabPorts(process.env));
const cleanUp: Array<() => Promise<void>> = [];
let stopping = false;
const stop = async (status: number): Promise<never> => {
  if (!stopping) {
    stopping = true;
    for (const step of cleanUp.reverse()) await step().catch(() => undefined);
  }
  process.exit(status);
};
process.once('SIGTERM', () => void stop(124));
process.once('SIGINT', () => void stop(130));

const outcomes: ScenarioOutcome[] = [];
const save = (labError?: string) => {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ labError, outcomes }));
};

let lab: Launcher.RunningLab;
try {
  lab = await launcher.startLab({ env, logDir: path.join(root, '.lab', 'logs'), timeoutMs: 60_000 });
} catch (error) {
  save(error instanceof Error ? error.message : String(error));
  process.exit(3);
}
cleanUp.push(() => lab.stop());
const browser = await scenarios.launchBrowser();
cleanUp.push(() => browser.close());
const connection = new scenarios.LabConnection(lab.topology, env.LAB_CONTROL_KEY!);

for (const id of positionals) {
  const scenario = scenarios.findScenario(id);
  if (!scenario) {
    outcomes.push({ id, pass: false, error: `no scenario ${id} in this source tree`, failed: [], durationMs: 0 });
    continue;
  }
  const started = Date.now();
  try {
    const result = await scenarios.runScenario(scenario, { lab: connection, browser });
    const failed = result.expectations.filter((expectation) => !expectation.pass).map((expectation) => expectation.name);
    outcomes.push({ id, pass: result.pass, error: result.error, failed, durationMs: Date.now() - started });
  } catch (error) {
    outcomes.push({
      id,
      pass: false,
      error: `the scenario could not run: ${error instanceof Error ? error.message : String(error)}`,
      failed: [],
      durationMs: Date.now() - started,
    });
  }
  save();
}
save();
await stop(0);
