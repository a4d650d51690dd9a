import type { LabTopology } from '@lab/shared';
import type { Category, TargetName } from './hostile-case.ts';
import type { ProblemKind } from './judge.ts';
import type { CaseResult } from './run-cases.ts';
import { reproduce } from './reproduce.ts';
import type { StackTrace } from './service-logs.ts';

/** Counts of answers per category and target, over the whole run. */
export class HostileTally {
  readonly #answers = new Map<string, Map<string, number>>();
  readonly #problems = new Map<string, number>();
  readonly stackTraces = new Map<string, number>();
  cases = 0;
  requests = 0;
  slowestMs = 0;

  add(results: readonly CaseResult[]): void {
    for (const result of results) {
      this.cases += 1;
      this.requests += result.requests;
      this.slowestMs = Math.max(this.slowestMs, result.elapsedMs);
      const key = `${result.hostile.category}\t${result.hostile.target}`;
      const answers = this.#answers.get(key) ?? new Map<string, number>();
      answers.set(result.answer, (answers.get(result.answer) ?? 0) + 1);
      this.#answers.set(key, answers);
      for (const problem of result.problems) this.#problems.set(problem.kind, (this.#problems.get(problem.kind) ?? 0) + 1);
    }
  }

  addStackTraces(traces: readonly StackTrace[]): void {
    for (const trace of traces) this.stackTraces.set(trace.service, (this.stackTraces.get(trace.service) ?? 0) + 1);
  }

  /** Failures by kind (`5xx`, `hang`…), and `stack traces in the logs`. */
  problems(): Record<string, number> {
    const stack = [...this.stackTraces.values()].reduce((sum, count) => sum + count, 0);
    return { ...Object.fromEntries(this.#problems), ...(stack ? { 'stack traces in the logs': stack } : {}) };
  }

  /** Answers per target over all categories: `{ spa: { '400': 12, … } }`. */
  byTarget(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, answers] of this.#answers) {
      const target = key.split('\t')[1]!;
      out[target] ??= {};
      const row = out[target];
      for (const [answer, count] of answers) row[answer] = (row[answer] ?? 0) + count;
    }
    return out;
  }

  /** One line per category and target: `json  spa  130 cases: 400×80 401×20 413×30`. */
  format(): string {
    const lines = [...this.#answers]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, answers]) => {
        const [category, target] = key.split('\t') as [Category, TargetName];
        const total = [...answers.values()].reduce((sum, count) => sum + count, 0);
        const counts = [...answers]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([answer, count]) => `${answer}×${count}`)
          .join(' ');
        return `  ${category.padEnd(17)}${target.padEnd(13)}${String(total).padStart(6)}  ${counts}`;
      });
    const problems =
      Object.entries(this.problems())
        .map(([kind, count]) => `${kind}: ${count}`)
        .join(', ') || 'none';
    return [`${this.cases} cases, ${this.requests} requests, slowest answer ${this.slowestMs} ms; failures: ${problems}`, ...lines].join('\n');
  }
}

/** The order failures are listed in: what breaks the lab first, what only breaks the contract last. */
const SEVERITY: readonly ProblemKind[] = [
  '5xx',
  'hang',
  'open redirect',
  'upgrade accepted',
  'stack trace in the answer',
  'no answer',
  'sign-in failed',
  'error body not {error, message}',
];

/**
 * The failures of one category, grouped (kind, target, what was sent), each group with a count,
 * one detail and one command that reproduces it against the test lab. Empty when all held.
 */
export function formatFailures(results: readonly CaseResult[], traces: readonly StackTrace[], topology: LabTopology, maxGroups = 30): string {
  const groups = new Map<string, { rank: number; count: number; detail: string; repro: string }>();
  for (const result of results) {
    for (const problem of result.problems) {
      // A service that is down refuses everything: one group, not one per kind of request.
      const refused = problem.detail.startsWith('connection refused');
      const key = `${problem.kind} · ${result.hostile.target} · ${refused ? 'any request' : result.hostile.label}`;
      const group = groups.get(key);
      if (group) group.count += 1;
      else groups.set(key, { rank: SEVERITY.indexOf(problem.kind), count: 1, detail: problem.detail, repro: reproduce(result.hostile, topology) });
    }
  }
  const traceGroups = new Map<string, { count: number; frame: string }>();
  for (const trace of traces) {
    const key = `${trace.service}: ${trace.heading}`;
    const group = traceGroups.get(key);
    if (group) group.count += 1;
    else traceGroups.set(key, { count: 1, frame: trace.frame });
  }
  if (groups.size === 0 && traceGroups.size === 0) return '';

  const lines: string[] = [];
  const failed = results.filter((result) => result.problems.length > 0).length;
  if (failed > 0) lines.push(`${failed} of ${results.length} cases failed:`);
  const sorted = [...groups].sort(([, a], [, b]) => a.rank - b.rank || b.count - a.count);
  for (const [key, { count, detail, repro }] of sorted.slice(0, maxGroups)) {
    lines.push(`  ${count}× ${key}`, `      ${detail}`, `      $ ${repro.length > 1200 ? `${repro.slice(0, 1200)}…` : repro}`);
  }
  if (sorted.length > maxGroups) lines.push(`  … and ${sorted.length - maxGroups} more groups`);
  if (traceGroups.size > 0) {
    lines.push(`${traces.length} stack traces in the service logs:`);
    for (const [key, { count, frame }] of [...traceGroups].sort(([, a], [, b]) => b.count - a.count).slice(0, maxGroups)) {
      lines.push(`  ${count}× ${key}`, `      ${frame}`);
    }
  }
  return lines.join('\n');
}
