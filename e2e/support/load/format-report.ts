import type { LoadProfile } from './load-profile.ts';
import type { PhaseReport } from './run-load-phase.ts';

const number = new Intl.NumberFormat('en-US');

/** A few lines per phase, for the test's output: what ran, what came back, what went wrong. */
export function formatPhaseSummary(report: PhaseReport): string {
  const { anonymous } = report;
  const lines = [
    `concurrency, access-token lifetime ${report.ttlSeconds} s: ${report.sessions} sessions × ${report.parallelCalls} parallel calls` +
      ` (signed in over HTTP in ${seconds(report.signInMs)}, ${report.signInFailures} failed), ${number.format(report.calls)} calls in ${seconds(report.callsMs)}`,
    `  statuses: ${formatCounts(report.statuses)}`,
    `  refreshes seen via /bff/user: ${number.format(report.refreshes.total)} (per kept session: least ${report.refreshes.least}, median ${report.refreshes.median})`,
    `  lost sessions ${report.lostSessions}, cross-user answers ${report.crossUserAnswers}, errors ${report.errors}, other unexpected ${report.unexpected}`,
    `  anonymous logins: ${number.format(anonymous.fired)} of ${number.format(anonymous.logins)} in ${seconds(anonymous.durationMs)} (${formatCounts(anonymous.statuses)}; refused ${anonymous.refused}, errors ${anonymous.errors}); ` +
      `signed-in sessions first hit after the burst began: ${report.hitAfterBurst}`,
  ];
  const problems = Object.entries(report.problems).slice(0, 6);
  if (problems.length > 0) lines.push(`  problems: ${problems.map(([problem, count]) => `${problem} ×${count}`).join('; ')}`);
  const anonymousErrors = Object.entries(anonymous.errorSamples).slice(0, 4);
  if (anonymousErrors.length > 0) lines.push(`  anonymous errors: ${anonymousErrors.map(([problem, count]) => `${problem} ×${count}`).join('; ')}`);
  return lines.join('\n');
}

/** The figures as a Markdown table, one row per lifetime, for `docs/reliability.md`. */
export function formatMarkdownTable(profile: LoadProfile, reports: readonly PhaseReport[]): string {
  const rows = reports.map((report) =>
    [
      `${report.ttlSeconds} s`,
      `${report.sessions} × ${report.parallelCalls}`,
      number.format(report.calls),
      seconds(report.callsMs),
      `${number.format(report.refreshes.total)} (least ${report.refreshes.least})`,
      String(report.lostSessions),
      String(report.crossUserAnswers),
      String(report.errors + report.unexpected),
      `${number.format(report.anonymous.fired)} of ${number.format(report.anonymous.logins)} (refused ${report.anonymous.refused}, errors ${report.anonymous.errors})`,
      String(report.hitAfterBurst),
      formatCounts(report.statuses),
    ].join(' | '),
  );
  return [
    `Profile \`${profile.name}\`.`,
    '',
    '| lifetime | sessions × parallel | calls | duration | refreshes seen | lost sessions | cross-user | errors | anonymous logins | hit after burst | statuses |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, count]) => `${key} ×${number.format(count)}`)
    .join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
