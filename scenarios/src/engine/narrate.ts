import { styleText } from 'node:util';
import type { CookieView, LabTopology, Party, TraceEvent } from '@lab/shared';
import { DEFENCES } from '@lab/shared';
import type { Scenario, ScenarioKind, ScenarioResult, StepRecord } from './scenario.ts';
import { PARAMETER_GLOSSARY } from '@lab/shared/glossary';
import { withPortsInForce } from './ports-in-force.ts';
import { wrapLine } from './wrap-lines.ts';
import { isRoutineSignIn } from './sign-in-step.ts';
import { errorCodeOf } from '../library/attack-support.ts';

type Style = Parameters<typeof styleText>[0];

export const PARTY_NAMES: Readonly<Record<Party, string>> = {
  'user-agent': 'User Agent (browser)',
  spa: 'Client: SPA',
  bff: 'Client: BFF',
  authserver: 'Authorization Server',
  'resource-api': 'Resource Server',
  attacker: 'Attacker',
};

const SEES_NAMES = { browser: 'Browser', spa: 'SPA', bff: 'BFF', authserver: 'Auth server', api: 'API', attacker: 'Attacker' } as const;

export interface NarrationOptions {
  /**
   * For a live room (`--brief`): an attack's sign-in in one line, bodies only when they are the
   * point (an error code, or a step that says to look at a body), "Look at" again at the end.
   */
  readonly brief?: boolean;
  /** Wrap every line to this many columns (see `narrationWidth`); undefined: no wrapping. */
  readonly width?: number;
  /** The lab in force: addresses written with the default ports are told with these. */
  readonly topology?: LabTopology;
}

/** Turns a scenario run into the story a learner reads; colour only where the output is a terminal. */
export class Narrator {
  readonly #colour: boolean;
  readonly #output: (text: string) => void;
  readonly #options: NarrationOptions;
  #kind: ScenarioKind | undefined;

  constructor(write: (text: string) => void, colour: boolean, options: NarrationOptions = {}) {
    this.#output = write;
    this.#colour = colour;
    this.#options = options;
  }

  /** Every line goes out with the addresses in force, wrapped to the width. */
  #write(text: string): void {
    const { topology, width } = this.#options;
    const localised = topology ? withPortsInForce(text, topology) : text;
    const lines = localised.split('\n').flatMap((line) => wrapLine(line, width));
    this.#output(lines.join('\n'));
  }

  #paint(style: Style, text: string): string {
    return this.#colour ? styleText(style, text) : text;
  }

  intro(scenario: Scenario): void {
    this.#kind = scenario.kind;
    const lines = ['', this.#paint('bold', `━━ ${scenario.id} · ${scenario.title}`), `${this.#paint('dim', 'Teaches:')} ${scenario.teaches}`];
    if (scenario.threat) lines.push(`${this.#paint('dim', 'Threat:')} ${scenario.threat}`);
    if (scenario.defence) lines.push(`${this.#paint('dim', 'Defence exercised:')} ${scenario.defence} (${DEFENCES[scenario.defence].what})`);
    lines.push(this.#paint('dim', 'Prerequisites:'), ...scenario.prerequisites.map((line) => `  • ${line}`));
    if (scenario.weaken && scenario.weaken.length > 0) {
      lines.push(this.#paint(['bold', 'red'], `  ⚠ WEAKENED for this run: ${scenario.weaken.join(', ')}`));
    } else {
      lines.push('  • All defences are on.');
    }
    this.#write(`${lines.join('\n')}\n`);
  }

  step(step: StepRecord): void {
    const brief = this.#options.brief === true;
    if (brief && isRoutineSignIn(this.#kind, step)) {
      this.#collapsedSignIn(step);
      return;
    }
    const lines = ['', this.#paint('bold', `Step ${step.number} · ${step.actor}: ${step.action}`)];
    if (step.look) lines.push(`  ${this.#paint('cyan', 'Look at:')} ${step.look}`);
    const explained = new Set<string>();
    const bodies = !brief || /\bbod(y|ies)\b/i.test(step.look ?? '');
    for (const exchange of step.exchanges) lines.push(...this.#exchange(exchange, explained, bodies));
    for (const note of step.notes) lines.push(`  ${this.#paint('dim', '·')} ${note}`);
    if (step.sees) {
      lines.push(`  ${this.#paint('cyan', 'Who sees what now:')}`);
      for (const [party, what] of Object.entries(step.sees)) {
        lines.push(`    ${SEES_NAMES[party as keyof typeof SEES_NAMES].padEnd(12)} ${what}`);
      }
    }
    for (const expectation of step.expectations) {
      const mark = expectation.pass ? this.#paint('green', '✓') : this.#paint(['bold', 'red'], '✗');
      const detail = expectation.pass
        ? this.#paint('dim', `(${show(expectation.actual)})`)
        : this.#paint('red', `expected ${show(expectation.expected)}, got ${show(expectation.actual)}`);
      lines.push(`  ${mark} ${expectation.name} ${detail}`);
    }
    if (step.error) lines.push(this.#paint(['bold', 'red'], `  ✗ the step failed: ${step.error}`));
    // On a projector the heading has scrolled away by now: say again what to look at.
    if (brief && step.look) lines.push(`  ${this.#paint(['bold', 'cyan'], 'Look at:')} ${step.look}`);
    this.#write(`${lines.join('\n')}\n`);
  }

  /** An attack's sign-in, in one line: the victim signs in as usual; only a failure is shown in full. */
  #collapsedSignIn(step: StepRecord): void {
    const held = step.expectations.filter((expectation) => expectation.pass).length;
    const checks = step.expectations.length > 0 ? `, ${held}/${step.expectations.length} checks held` : '';
    const lines = [
      '',
      `${this.#paint('bold', `Step ${step.number} · ${step.actor}: ${step.action}`)} ${this.#paint('dim', `(sign-in: ${step.exchanges.length} exchanges${checks})`)}`,
    ];
    for (const expectation of step.expectations.filter((candidate) => !candidate.pass)) {
      lines.push(
        `  ${this.#paint(['bold', 'red'], '✗')} ${expectation.name} ${this.#paint('red', `expected ${show(expectation.expected)}, got ${show(expectation.actual)}`)}`,
      );
    }
    if (step.error) lines.push(this.#paint(['bold', 'red'], `  ✗ the step failed: ${step.error}`));
    this.#write(`${lines.join('\n')}\n`);
  }

  /** One exchange: a head line, the headers and bodies that matter, and new OAuth parameters explained. */
  #exchange(event: TraceEvent, explained: Set<string>, bodies = true): string[] {
    const channel = event.channel === 'back' ? this.#paint('magenta', '[back channel] ') : '';
    const status = event.error ? this.#paint('red', `no answer (${event.error})`) : String(event.status ?? '');
    const explainable = explainedParameters(event);
    const parameters = explainable.filter(([name]) => !explained.has(name));
    // The query is listed parameter by parameter (here or earlier in the step): no need to print it twice.
    const url = event.url.includes('?') && explainable.length > 0 ? `${event.url.slice(0, event.url.indexOf('?'))}?…` : event.url;
    const lines = [`  ${channel}${PARTY_NAMES[event.from]} → ${PARTY_NAMES[event.to]}: ${event.method} ${url} ${this.#paint('bold', status)}`];
    const location = event.responseHeaders.location;
    const details: Array<[string, string | undefined]> = [
      ['Authorization', event.requestHeaders.authorization],
      ['Cookie', event.requestHeaders.cookie && summariseCookieHeader(event.requestHeaders.cookie)],
      ['request body', bodies && event.requestBody ? clip(event.requestBody) : undefined],
      ['Location', location && (location.includes('?') && explainable.length > 0 ? `${location.slice(0, location.indexOf('?'))}?…` : location)],
      ['Set-Cookie', summariseSetCookies(event.cookies?.set ?? [])],
      ['WWW-Authenticate', event.responseHeaders['www-authenticate']],
      ['response body', bodies && event.responseBody && !event.responseBody.startsWith('(HTML') ? clip(event.responseBody) : undefined],
      // Brief: of a body, only the error code, when there is one: that is the point of a refusal.
      ['error', bodies ? undefined : errorCodeOf(event.responseBody)],
    ];
    for (const [name, value] of details) {
      if (value) lines.push(`      ${this.#paint('dim', `${name}:`)} ${value}`);
    }
    for (const [name, value] of parameters) {
      explained.add(name);
      lines.push(
        `        ${this.#paint('yellow', name)}=${value.length > 48 ? `${value.slice(0, 45)}…` : value}  ${this.#paint('dim', PARAMETER_GLOSSARY[name] ?? '')}`,
      );
    }
    return lines;
  }

  summary(result: ScenarioResult): void {
    const failed = result.expectations.filter((expectation) => !expectation.pass);
    const verdict = result.pass ? this.#paint(['bold', 'green'], 'PASS') : this.#paint(['bold', 'red'], 'FAIL');
    const lines = [
      '',
      `${verdict} ${result.id}: ${result.expectations.length - failed.length}/${result.expectations.length} expectations held (${(result.durationMs / 1000).toFixed(1)} s)`,
    ];
    for (const expectation of failed) {
      lines.push(this.#paint('red', `  failed: ${expectation.name}: expected ${show(expectation.expected)}, got ${show(expectation.actual)}`));
    }
    if (result.error) lines.push(this.#paint('red', `  stopped: ${result.error}`));
    if (result.expectations.length === 0) lines.push(this.#paint('red', '  no expectation was checked'));
    this.#write(`${lines.join('\n')}\n`);
  }
}

/** The OAuth parameters of a redirect's target, a callback, or a form body, for the glossary. */
function explainedParameters(event: TraceEvent): Array<[string, string]> {
  const sources: string[] = [];
  const location = event.responseHeaders.location;
  if (location?.includes('?')) sources.push(location.slice(location.indexOf('?') + 1));
  if (event.url.includes('/callback?') || event.url.includes('/auth?')) sources.push(event.url.slice(event.url.indexOf('?') + 1));
  if (event.requestBody?.includes('grant_type=')) sources.push(event.requestBody);
  const seen = new Map<string, string>();
  for (const source of sources) {
    for (const pair of source.split('&')) {
      const [name = '', value = ''] = pair.split('=', 2);
      if (PARAMETER_GLOSSARY[name] && !seen.has(name)) seen.set(name, safeDecode(value));
    }
  }
  return [...seen];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

/** Long bodies (discovery documents, notes lists) are cut for the narration; the JSON output keeps them. */
function clip(text: string, max = 320): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Cookie names only, without their signature twins: who sends which cookie is what matters. */
function summariseCookieHeader(header: string): string {
  return header
    .split(/;\s*/)
    .filter((pair) => !pair.split('=')[0]?.endsWith('.sig'))
    .join('; ');
}

/** One line per cookie set: name, shortened value and the attributes that matter (no expiry dates). */
function summariseSetCookies(cookies: readonly CookieView[]): string | undefined {
  const shown = cookies
    .filter((cookie) => !cookie.name.endsWith('.sig'))
    .map((cookie) => {
      const kept = cookie.attributes.filter((attribute) => !/^(expires|path=\/(auth|interaction)\/)/i.test(attribute));
      return cookie.removed ? `${cookie.name} (removed)` : [`${cookie.name}=${cookie.value}`, ...kept].join('; ');
    });
  return shown.length > 0 ? shown.join(' | ') : undefined;
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}
