import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveTopology } from '@lab/shared';
import { launchBrowser } from '../browser.ts';
import { connectToLab } from '../engine/connect.ts';
import { runScenario } from '../engine/run-scenario.ts';
import { recommendedFlow } from '../flows/recommended-flow.ts';
import { sectionsToMermaid } from '../report/trace-to-mermaid.ts';

/**
 * Writes docs/diagrams/recommended-flow.md: the sequence diagram of the recommended flow as the
 * lab's trace recorded it in a real run (never drawn by hand), as a Mermaid block.
 *
 *   npm run docs:diagrams
 */
const OUTPUT = path.resolve(import.meta.dirname, '../../../docs/diagrams/recommended-flow.md');

const lab = await connectToLab();
const browser = await launchBrowser();
let result: Awaited<ReturnType<typeof runScenario>>;
try {
  result = await runScenario(recommendedFlow, { lab: lab.connection, browser });
} finally {
  await browser.close();
  await lab.stop();
}
if (!result.pass) {
  console.error(`flow-recommended did not pass (${result.error ?? 'an expectation failed'}); ${OUTPUT} is left as it was.`);
  process.exit(1);
}

// The lab's default URLs in the titles, whichever ports this run used.
const defaults = resolveTopology({});
const withDefaultUrls = (text: string) =>
  Object.values(lab.connection.topology).reduce((result, location) => result.replaceAll(location.url, defaults[location.name].url), text);
const diagram = sectionsToMermaid(
  result.steps.map((step) => ({ title: withDefaultUrls(`Step ${step.number} · ${step.actor}: ${step.action}`), events: step.exchanges })),
  { appOrigin: lab.connection.topology.spa.url },
);
const lines = [
  '# The recommended flow, as the lab recorded it',
  '',
  `This diagram was produced by \`npm run docs:diagrams\`, which runs the scenario \`flow-recommended\` against the lab and draws every exchange the services recorded in their trace (dashed arrows: the back channel, server to server).`,
  '',
  '```mermaid',
  diagram,
  '```',
  '',
];
mkdirSync(path.dirname(OUTPUT), { recursive: true });
writeFileSync(OUTPUT, lines.join('\n'));
console.log(`wrote ${OUTPUT}`);
