import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFENCES } from '@lab/shared';
import { launchBrowser } from '../browser.ts';
import { connectToLab } from '../engine/connect.ts';
import { isWeakenedRun } from '../engine/define-attack.ts';
import { Narrator } from '../engine/narrate.ts';
import { runScenario } from '../engine/run-scenario.ts';
import type { Scenario, ScenarioKind, ScenarioResult } from '../engine/scenario.ts';
import { SCENARIOS } from '../registry.ts';

/**
 * Writes docs/scenarios.md from the scenarios themselves: what each teaches, the command that
 * runs it, and an excerpt of its narration from a real run against the lab (never hand-written).
 *
 *   npm run docs:scenarios
 */
const OUTPUT = path.resolve(import.meta.dirname, '../../../docs/scenarios.md');
const ATTACKS_OUTPUT = path.resolve(import.meta.dirname, '../../../docs/attacks.md');
const EXCERPT_LINES = 14;

const HEADINGS: Record<ScenarioKind, string> = {
  role: 'The roles of the seed',
  flow: 'The flows, step by step',
  attack: 'Token-theft attempts (each defended, and with its defence off)',
};

const lab = await connectToLab();
const browser = await launchBrowser();
const excerpts = new Map<string, { text: string; pass: boolean; seconds: number }>();
const results = new Map<string, ScenarioResult>();
try {
  for (const scenario of SCENARIOS) {
    let text = '';
    const narrator = new Narrator((chunk) => (text += chunk), false);
    narrator.intro(scenario);
    const result = await runScenario(scenario, { lab: lab.connection, browser, onStep: (step) => narrator.step(step) });
    excerpts.set(scenario.id, { text: excerptOf(text), pass: result.pass, seconds: result.durationMs / 1000 });
    results.set(scenario.id, result);
  }
} finally {
  await browser.close();
  await lab.stop();
}

const lines = [
  '# Scenarios',
  '',
  'Each scenario is a narrated run against the real lab: which role acts, the HTTP exchanges it causes (tokens shortened), who can see what, and the expectations checked. Each is also a test in `npm test`.',
  '',
  '```',
  'npm run scenario -- --list        # every id with its title',
  'npm run scenario -- <id>          # one, narrated (add --step to go step by step, --headed to watch the browser, --json for a JSON document)',
  'npm run scenarios                 # all of them, two at a time (--lanes N), then a summary table',
  '```',
  '',
  'The excerpts below were produced by `npm run docs:scenarios`, which runs every scenario and rewrites this file.',
  '',
];
for (const kind of ['role', 'flow', 'attack'] as const) {
  const scenarios = SCENARIOS.filter((scenario) => scenario.kind === kind);
  if (scenarios.length === 0) continue;
  lines.push(`## ${HEADINGS[kind]}`, '');
  if (kind === 'attack') lines.push(...defenceTable(scenarios), '');
  for (const scenario of scenarios) lines.push(...section(scenario));
}
writeFileSync(OUTPUT, `${lines.join('\n')}\n`);
console.log(`wrote ${OUTPUT}`);
writeFileSync(ATTACKS_OUTPUT, `${attacksDocument().join('\n')}\n`);
console.log(`wrote ${ATTACKS_OUTPUT}`);

/**
 * docs/attacks.md: per attack, the threat, the defence, the command for each run, the steps with
 * what to look at, and how each run ended; then the attack × defence table.
 */
function attacksDocument(): string[] {
  // The runs as built: the weakened twin is the run marked so, not any run with a defence off
  // (the XSS attacks switch off the SPA's CSP in both runs, to let the script in).
  const attacks = SCENARIOS.filter((scenario) => scenario.kind === 'attack' && !isWeakenedRun(scenario));
  const out = [
    '# Attacks',
    '',
    'Each attack is a scenario that runs twice: against the lab as built, where a named defence refuses it with the exact error, and with that defence switched off, where it visibly succeeds. The test suite runs both, and proves that each weakened run fails when its defence is on. This page is written by `npm run docs:scenarios` from the scenarios themselves and a real run of each.',
    '',
    'Switch a defence off for a whole lab with `LAB_WEAKEN=name,name npm start` (the start-up table and a red banner in the app name what is off); a scenario switches its own for one run and restores them after.',
    '',
    ...defenceTable(SCENARIOS.filter((scenario) => scenario.kind === 'attack')),
    '',
  ];
  for (const attack of attacks) {
    const twin = SCENARIOS.find((candidate) => candidate.id === `${attack.id}-weakened`);
    out.push(`## \`${attack.id}\``, '', `**${attack.title}**`, '');
    if (attack.threat) out.push(`Threat: ${attack.threat}`, '');
    out.push(attack.teaches, '');
    if (attack.defence) out.push(`Defence: \`${attack.defence}\`, ${DEFENCES[attack.defence].what}.`, '');
    out.push('Run it:', '', '```', `npm run scenario -- ${attack.id}${twin ? `\nnpm run scenario -- ${twin.id}` : ''}`, '```', '');
    for (const run of [attack, twin]) {
      if (!run) continue;
      const result = results.get(run.id);
      out.push(`### ${run === attack ? 'As built' : `With ${run.weaken?.join(' + ')} off`} (\`${run.id}\`)`, '');
      for (const step of result?.steps ?? []) {
        out.push(`${step.number}. **${step.actor}** ${step.action}.${step.look ? ` Look at: ${step.look}.` : ''}`);
      }
      const held = result?.expectations.filter((expectation) => expectation.pass).length ?? 0;
      out.push(
        '',
        `Checked: ${result?.expectations.map((expectation) => expectation.name).join('; ') ?? 'not run'} (${held}/${result?.expectations.length ?? 0} held when this page was written).`,
        '',
      );
      const leaks = result?.expectations.filter((expectation) => expectation.leak).map((expectation) => expectation.name) ?? [];
      if (leaks.length > 0)
        out.push(
          `The leak: ${leaks.join('; ')}. Replayed against the lab as built, the test suite requires exactly these to fail, with no error and every other check holding.`,
          '',
        );
    }
  }
  return out;
}

function section(scenario: Scenario): string[] {
  const excerpt = excerpts.get(scenario.id);
  const out = [`### \`${scenario.id}\`: ${scenario.title}`, '', scenario.teaches, ''];
  if (scenario.threat) out.push(`Threat: ${scenario.threat}`, '');
  if (scenario.defence) out.push(`Defence: \`${scenario.defence}\`, ${DEFENCES[scenario.defence].what}.`, '');
  out.push(
    `Run it: \`npm run scenario -- ${scenario.id}\`${excerpt ? ` (${excerpt.seconds.toFixed(1)} s, ${excerpt.pass ? 'passed' : 'FAILED'} when this page was written)` : ''}`,
    '',
  );
  if (excerpt) out.push('```text', excerpt.text, '```', '');
  return out;
}

function defenceTable(scenarios: readonly Scenario[]): string[] {
  const rows = scenarios.filter((scenario) => !isWeakenedRun(scenario));
  return [
    '| attack | defence | weakened run |',
    '| --- | --- | --- |',
    ...rows.map((scenario) => {
      const twin = SCENARIOS.find((candidate) => candidate.id === `${scenario.id}-weakened`);
      return `| \`${scenario.id}\` | ${scenario.defence ? `\`${scenario.defence}\`` : 'none to switch off'} | ${twin ? `\`${twin.id}\` (off: ${twin.weaken?.join(', ')})` : 'none'} |`;
    }),
  ];
}

/** The first step of the narration, cut to a readable length. */
function excerptOf(text: string): string {
  const all = text.split('\n');
  const start = all.findIndex((line) => line.startsWith('Step 1'));
  const from = Math.max(0, start);
  return all
    .slice(from, from + EXCERPT_LINES)
    .join('\n')
    .trimEnd();
}
