import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabTopology } from '@lab/shared';
import type { Scenario, ScenarioResult } from '../engine/scenario.ts';
import { renderReport } from './render-report.ts';

/** `reports/` at the root of the repository (git-ignored). */
export const REPORTS_DIR = path.resolve(import.meta.dirname, '../../../reports');

/** Writes `reports/<id>.html` and returns its path. */
export function writeReport(scenario: Scenario, result: ScenarioResult, appOrigin: string, directory = REPORTS_DIR, topology?: LabTopology): string {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${result.id}.html`);
  writeFileSync(file, renderReport(scenario, result, { appOrigin, topology }));
  return file;
}
