import type { LabTopology, TraceEvent } from '@lab/shared';
import { DEFENCES, LANE_NAMES, exchangesOf, senderOf } from '@lab/shared';
import type { Expectation, Scenario, ScenarioResult, StepRecord, Visibility } from '../engine/scenario.ts';
import { escapeHtml as esc } from './escape-html.ts';
import { renderSequenceSvg } from './sequence-svg.ts';
import { REPORT_STYLES } from './report-styles.ts';
import { exchangesProving } from './decisive-exchanges.ts';
import { isRoutineSignIn } from '../engine/sign-in-step.ts';
import { withPortsInForce } from '../engine/ports-in-force.ts';

const SEES_NAMES: Readonly<Record<keyof Visibility, string>> = {
  browser: 'Browser',
  spa: 'SPA',
  bff: 'BFF',
  authserver: 'Authorization server',
  api: 'Resource API',
  attacker: 'Attacker',
};

export interface ReportOptions {
  /** The app's origin of the run (to draw the SPA's own calls from the SPA). */
  readonly appOrigin: string;
  /** The lab of the run: the story's addresses, written with the default ports, are told with its own. */
  readonly topology?: LabTopology;
  readonly generatedAt?: Date;
}

/**
 * One scenario run as one self-contained HTML page: the story (what it teaches, prerequisites,
 * numbered steps with actor, action, what to look at, notes and who sees what), the exchanges of
 * each step and as a sequence diagram (inline SVG), the expectations with their results, and
 * screenshots of the browser (PNG data: URLs). Inline CSS, no script, nothing loaded from
 * anywhere: it opens offline and can be mailed. Secrets are shortened, as in the trace.
 */
export function renderReport(told: Scenario, run: ScenarioResult, options: ReportOptions): string {
  const { scenario, result } = withAddressesInForce(told, run, options.topology);
  const held = result.expectations.filter((expectation) => expectation.pass).length;
  // An attack's routine sign-in is one group; the exchanges an expectation is about are decisive:
  // highlighted in the diagram and linked from the expectation.
  const collapsed = (step: StepRecord) => isRoutineSignIn(result.kind, step);
  const sections = result.steps.map((step) => ({
    title: `Step ${step.number} · ${step.actor}: ${step.action}`,
    events: step.exchanges,
    collapsed: collapsed(step),
  }));
  const proofs = new Map<Expectation, number[]>();
  let exchangeNumber = 0;
  const numbered = result.steps.map((step) => {
    const exchanges = exchangesOf(step.exchanges);
    const first = exchangeNumber + 1;
    exchangeNumber += exchanges.length;
    if (!collapsed(step)) {
      for (const expectation of step.expectations) {
        const proving = exchangesProving(expectation, exchanges).map((index) => first + index);
        if (proving.length > 0) proofs.set(expectation, proving);
      }
    }
    return { step, exchanges, first };
  });
  const decisive = new Set([...proofs.values()].flat());
  const steps = numbered.map(({ step, exchanges, first }) =>
    renderStep(step, exchanges, first, options.appOrigin, { collapsed: collapsed(step), proofs, decisive }),
  );
  const generatedAt = options.generatedAt ?? new Date();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${result.title} · scenario report`)}</title>
<style>${REPORT_STYLES}</style>
</head>
<body>
<header>
<p class="kicker">OAuth BFF lab · scenario report · <code>${esc(result.id)}</code></p>
<h1>${esc(result.title)}</h1>
<p class="verdict ${result.pass ? 'pass' : 'fail'}">${result.pass ? 'PASS' : 'FAIL'} · ${held}/${result.expectations.length} expectations held · ${(result.durationMs / 1000).toFixed(1)} s</p>
<dl class="meta">
<dt>Kind</dt><dd>${esc(result.kind)}</dd>
<dt>Mode</dt><dd>${result.mode === 'bff' ? 'BFF (the pattern)' : 'public client (the anti-pattern)'}</dd>
<dt>Defences</dt><dd>${result.weakened.length === 0 ? 'all on' : `<strong class="weak">WEAKENED: ${esc(result.weakened.join(', '))}</strong>`}</dd>
<dt>Run at</dt><dd>${esc(generatedAt.toISOString())}</dd>
</dl>
</header>
<main>
<section>
<h2>What it teaches</h2>
<p>${esc(scenario.teaches)}</p>
${scenario.threat ? `<p><strong>Threat:</strong> ${esc(scenario.threat)}</p>` : ''}
${scenario.defence ? `<p><strong>Defence exercised:</strong> <code>${esc(scenario.defence)}</code>: ${esc(DEFENCES[scenario.defence].what)}</p>` : ''}
<h2>Prerequisites</h2>
<ul>${scenario.prerequisites.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>
</section>
<section>
<h2>The exchanges, as a sequence diagram</h2>
<p class="legend">Solid arrows: the front channel, through the browser. <span class="back">Dashed arrows: the back channel</span>, server to server, never seen by the browser. Numbers match the exchange tables of the steps. <span class="decisive-key">Highlighted</span>: the decisive exchanges, those the expectations are about (click one for its details).</p>
<div class="diagram">${renderSequenceSvg(sections, { appOrigin: options.appOrigin, highlight: decisive })}</div>
</section>
<section>
<h2>Steps</h2>
${steps.join('\n')}
</section>
<section>
<h2>Expectations</h2>
${expectationTable(result.expectations, proofs)}
${result.error ? `<p class="error">The run stopped: ${esc(result.error)}</p>` : ''}
</section>
</main>
<footer>Written by <code>npm run scenario -- ${esc(result.id)} --report</code> from a real run against the lab. Tokens and secrets are shortened as in the lab's trace (<code>eyJhbGciOi…(812 chars)</code>): enough to tell two apart, never enough to use one.</footer>
</body>
</html>
`;
}

interface StepView {
  /** A routine sign-in: its exchanges folded away under one summary line. */
  readonly collapsed: boolean;
  readonly proofs: ReadonlyMap<Expectation, readonly number[]>;
  readonly decisive: ReadonlySet<number>;
}

function renderStep(step: StepRecord, exchanges: readonly TraceEvent[], firstNumber: number, appOrigin: string, view: StepView): string {
  const table = exchanges.length > 0 ? exchangeTable(exchanges, firstNumber, appOrigin, view.decisive) : '<p class="muted">No HTTP exchange in this step.</p>';
  return `<article class="step" id="step-${step.number}">
<h3><span class="number">${step.number}</span> <span class="actor">${esc(step.actor)}</span> ${esc(step.action)}</h3>
${step.look ? `<p class="look"><strong>Look at:</strong> ${esc(step.look)}</p>` : ''}
${(step.screenshots ?? [])
  .map(
    (shot) =>
      `<figure><img src="data:image/png;base64,${shot.png}" alt="${esc(shot.caption)}" width="640"><figcaption>${esc(shot.caption)}</figcaption></figure>`,
  )
  .join('\n')}
${view.collapsed && exchanges.length > 0 ? `<details class="sign-in"><summary>The sign-in, as usual: ${exchanges.length} exchanges (${firstNumber}–${firstNumber + exchanges.length - 1})</summary>${table}</details>` : table}
${step.notes.length > 0 ? `<ul class="notes">${step.notes.map((note) => `<li>${esc(note)}</li>`).join('')}</ul>` : ''}
${step.sees ? seesTable(step.sees) : ''}
${step.expectations.length > 0 ? `<ul class="checks">${step.expectations.map((expectation) => expectationItem(expectation, view.proofs.get(expectation))).join('')}</ul>` : ''}
${step.error ? `<p class="error">The step failed: ${esc(step.error)}</p>` : ''}
</article>`;
}

function exchangeTable(exchanges: readonly TraceEvent[], firstNumber: number, appOrigin: string, decisive: ReadonlySet<number>): string {
  const rows = exchanges.map((event, index) => {
    const details: string[] = [];
    const { authorization, cookie } = event.requestHeaders;
    if (authorization) details.push(`Authorization: ${authorization}`);
    if (cookie) details.push(`Cookie: ${cookie}`);
    if (event.requestBody) details.push(`request body: ${clip(event.requestBody)}`);
    if (event.responseHeaders.location) details.push(`Location: ${event.responseHeaders.location}`);
    // One line per cookie set; the `.sig` twins (their signatures) only repeat the cookie's name.
    for (const cookie of event.cookies?.set ?? []) {
      if (!cookie.name.endsWith('.sig')) details.push(`Set-Cookie: ${[`${cookie.name}=${cookie.value}`, ...cookie.attributes].join('; ')}`);
    }
    if (event.responseBody && !event.responseBody.startsWith('(HTML')) details.push(`response body: ${clip(event.responseBody)}`);
    for (const jwt of event.jwts ?? []) {
      details.push(`JWT in ${jwt.where}: ${JSON.stringify(jwt.payload).slice(0, 160)}… signature ${jwt.signature}`);
    }
    const status = event.error ? `no answer (${event.error})` : String(event.status ?? '');
    const number = firstNumber + index;
    const link = decisive.has(number) ? `<br><a class="to-diagram" href="#diagram-${number}">in the diagram</a>` : '';
    return `<tr class="${event.channel}${decisive.has(number) ? ' decisive' : ''}" id="exchange-${number}">
<td class="n">${number}${link}</td>
<td>${esc(LANE_NAMES[senderOf(event, appOrigin)])} → ${esc(LANE_NAMES[event.to])}${event.channel === 'back' ? '<br><span class="tag">back channel</span>' : ''}</td>
<td><code>${esc(event.method)} ${esc(event.url)}</code>${details.length > 0 ? `<ul class="details">${details.map((line) => `<li><code>${esc(line)}</code></li>`).join('')}</ul>` : ''}</td>
<td class="status">${esc(status)}</td>
</tr>`;
  });
  return `<table class="exchanges"><thead><tr><th>#</th><th>From → to</th><th>Request, and what matters in it</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function seesTable(sees: Visibility): string {
  const rows = Object.entries(sees).map(([party, what]) => `<tr><th>${esc(SEES_NAMES[party as keyof Visibility])}</th><td>${esc(what ?? '')}</td></tr>`);
  return `<table class="sees"><caption>Who sees what now</caption>${rows.join('')}</table>`;
}

function expectationItem(expectation: Expectation, proof: readonly number[] | undefined): string {
  const detail = expectation.pass ? `(${show(expectation.actual)})` : `expected ${show(expectation.expected)}, got ${show(expectation.actual)}`;
  return `<li class="${expectation.pass ? 'pass' : 'fail'}"><span class="mark">${expectation.pass ? '✓' : '✗'}</span> ${esc(expectation.name)} <span class="muted">${esc(detail)}</span>${proofLinks(proof)}</li>`;
}

/** "shown by exchange 12, 13": links to the decisive exchanges an expectation is about. */
function proofLinks(proof: readonly number[] | undefined): string {
  if (!proof || proof.length === 0) return '';
  return ` <span class="proof">shown by exchange ${proof.map((number) => `<a href="#exchange-${number}">${number}</a>`).join(', ')}</span>`;
}

function expectationTable(expectations: readonly Expectation[], proofs: ReadonlyMap<Expectation, readonly number[]>): string {
  if (expectations.length === 0) return '<p class="error">No expectation was checked.</p>';
  const rows = expectations.map(
    (expectation) =>
      `<tr class="${expectation.pass ? 'pass' : 'fail'}"><td class="mark">${expectation.pass ? '✓' : '✗'}</td><td>${esc(expectation.name)}${proofLinks(proofs.get(expectation))}</td><td><code>${esc(show(expectation.expected))}</code></td><td><code>${esc(show(expectation.actual))}</code></td></tr>`,
  );
  return `<table class="expectations"><thead><tr><th></th><th>Expectation</th><th>Expected</th><th>Actual</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** The story's own words (prerequisites, actions, what to look at, notes) with the addresses of the lab of the run. */
function withAddressesInForce(scenario: Scenario, result: ScenarioResult, topology: LabTopology | undefined) {
  if (!topology) return { scenario, result };
  const told = (text: string) => withPortsInForce(text, topology);
  return {
    scenario: {
      ...scenario,
      teaches: told(scenario.teaches),
      threat: scenario.threat && told(scenario.threat),
      prerequisites: scenario.prerequisites.map(told),
    },
    result: {
      ...result,
      steps: result.steps.map((step) => ({ ...step, action: told(step.action), look: step.look && told(step.look), notes: step.notes.map(told) })),
    },
  };
}
