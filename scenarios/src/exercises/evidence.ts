import type { TraceEvent } from '@lab/shared';
import type { ScenarioResult, StepRecord } from '../engine/scenario.ts';
import { PARTY_NAMES, show } from '../engine/narrate.ts';
import { errorCodeOf } from '../library/attack-support.ts';
import { findExchanges, type ExchangeQuery } from '../library/exchanges.ts';

/**
 * What an exchange answered, as a learner names it: the status and, when there is one, the error
 * code (a JSON body's `error`, a redirect's `error=`, a `WWW-Authenticate` error).
 */
export function outcomeOf(event: TraceEvent): string {
  const code =
    errorCodeOf(event.responseBody) ?? errorInLocation(event.responseHeaders.location) ?? errorInChallenge(event.responseHeaders['www-authenticate']);
  return code ? `${event.status} ${code}` : String(event.status ?? 'no answer');
}

function errorInLocation(location: string | undefined): string | undefined {
  if (!location?.includes('error=')) return undefined;
  return new URL(location, 'http://placeholder').searchParams.get('error') ?? undefined;
}

function errorInChallenge(header: string | undefined): string | undefined {
  return header?.match(/error="([a-z_]+)"/)?.[1];
}

/** One exchange as evidence: who called whom, what, and what came back (secrets already shortened by the trace). */
export function describeExchange(event: TraceEvent): string {
  const channel = event.channel === 'back' ? '[back channel] ' : '';
  const lines = [`${channel}${PARTY_NAMES[event.from]} → ${PARTY_NAMES[event.to]}: ${event.method} ${shorten(event.url, 140)} → ${outcomeOf(event)}`];
  if (event.responseHeaders.location) lines.push(`    Location: ${shorten(event.responseHeaders.location, 140)}`);
  if (event.responseHeaders['www-authenticate']) lines.push(`    WWW-Authenticate: ${shorten(event.responseHeaders['www-authenticate'], 200)}`);
  if (event.responseBody && errorCodeOf(event.responseBody)) lines.push(`    body: ${shorten(event.responseBody, 200)}`);
  return lines.join('\n');
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The exchanges of one step of a run that match the query. */
export function exchangesInStep(result: ScenarioResult, step: number, query: ExchangeQuery): TraceEvent[] {
  return findExchanges(stepOf(result, step).exchanges, query);
}

export function stepOf(result: ScenarioResult, number: number): StepRecord {
  const step = result.steps.find((candidate) => candidate.number === number);
  if (!step) {
    throw new Error(`${result.id} stopped before step ${number}${result.error ? `: ${result.error}` : ''}`);
  }
  return step;
}

/** The first matching exchange of a step; the run's own failure when it is missing. */
export function exchangeInStep(result: ScenarioResult, step: number, query: ExchangeQuery): TraceEvent {
  const [event] = exchangesInStep(result, step, query);
  if (!event) throw new Error(`step ${step} of ${result.id} recorded no ${query.method ?? ''} ${String(query.path ?? '')} exchange`);
  return event;
}

/** The scenario's verdict and the expectations that did not hold, as evidence lines. */
export function verdictLines(result: ScenarioResult): string[] {
  const failed = result.expectations.filter((expectation) => !expectation.pass);
  const lines = [
    `scenario ${result.id}: ${result.pass ? 'PASS' : 'FAIL'} (${result.expectations.length - failed.length}/${result.expectations.length} expectations held)`,
  ];
  for (const expectation of failed.slice(0, 4)) {
    lines.push(`    ✗ ${expectation.name}: expected ${show(expectation.expected)}, got ${show(expectation.actual)}`);
  }
  if (failed.length > 4) lines.push(`    (+${failed.length - 4} more)`);
  if (result.error) lines.push(`    stopped: ${result.error}`);
  return lines;
}

/** Several outcomes as one answer, each once, in order: "403 csrf_header_missing, 401 not_authenticated". */
export function joinOutcomes(outcomes: readonly string[]): string {
  return [...new Set(outcomes)].join(', ');
}
